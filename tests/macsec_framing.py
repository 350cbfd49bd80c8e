"""An independent 802.1AE encoder/decoder for carrier framing (docs/framing.md): clear VLAN tags
before the SecTAG and the confidentiality offset. It shares no code with the SecY: python3
cryptography's AESGCM over the AAD/plaintext split the standard gives, so the KATs
(tests/kat/secy/framing_vectors.py) and the live-wire test (tests/integration/dataplane/
framing.sh) check our bytes against something that is not ours. Import with PYTHONPATH=tests.

Layout (one or two tags T1, T2; SecTAG with SCI; offset o in 0/30/50):
  DA(6) SA(6) [T1(4) [T2(4)]] 88E5 TCI|AN SL PN(4) [SCI(8)] | user data | ICV(16)
  AAD  = DA‖SA‖tags‖SecTAG‖first min(o, len(user data)) octets of user data
  text = the rest of the user data (encrypted); integrity only: AAD = everything, text empty.
"""
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VLAN_TPIDS = (0x8100, 0x88A8)
MACSEC = 0x88E5
TCI_ES, TCI_SC, TCI_E, TCI_C = 0x40, 0x20, 0x08, 0x04
ICV_LEN = 16


def iv(sci, pn, ssci=None, salt=None):
    """14.? GCM IV: SCI‖PN32, or for the XPN suites (SSCI‖PN64) XOR salt."""
    if ssci is None:
        return struct.pack(">QI", sci, pn & 0xFFFFFFFF)
    raw = struct.pack(">IQ", ssci, pn)
    return bytes(a ^ b for a, b in zip(raw, salt))


def protect(plain, key, sci, pn, an=0, clear_tags=0, offset=0, ssci=None, salt=None,
            confidentiality=True, include_sci=True):
    """The protected frame for a plain one DA‖SA‖tags‖EtherType‖payload."""
    prefix = 12 + 4 * clear_tags
    for t in range(clear_tags):
        tpid = struct.unpack_from(">H", plain, 12 + 4 * t)[0]
        if tpid not in VLAN_TPIDS:
            raise ValueError("plain frame lacks clear tag %d" % t)
    user = plain[prefix:]
    tci = (TCI_SC if include_sci else TCI_ES) | ((TCI_E | TCI_C) if confidentiality else 0)
    sl = len(user) if len(user) < 48 else 0
    tag = struct.pack(">HBBI", MACSEC, tci | (an & 3), sl, pn & 0xFFFFFFFF)
    if include_sci:
        tag += struct.pack(">Q", sci)
    head = plain[:prefix] + tag
    clear = min(offset, len(user)) if confidentiality else len(user)
    aad = head + user[:clear]
    ct = AESGCM(key).encrypt(iv(sci, pn, ssci, salt), user[clear:], aad)
    # cryptography returns ciphertext‖tag; with an empty plaintext, just the tag.
    return aad + ct


class Frame:
    """A parsed protected frame: its clear tags, SecTAG fields and where things are."""

    def __init__(self, frame, clear_tags):
        self.raw = bytes(frame)
        self.prefix = 12 + 4 * clear_tags
        self.tags = []
        for t in range(clear_tags):
            tpid, tci = struct.unpack_from(">HH", self.raw, 12 + 4 * t)
            if tpid not in VLAN_TPIDS:
                raise ValueError("octets %d.. are not a VLAN tag (0x%04x)" % (12 + 4 * t, tpid))
            self.tags.append((tpid, tci & 0x0FFF))
        et, tci_an, sl, pn = struct.unpack_from(">HBBI", self.raw, self.prefix)
        if et != MACSEC:
            raise ValueError("no SecTAG after %d clear tag(s) (0x%04x)" % (clear_tags, et))
        self.tci, self.an, self.sl, self.pn32 = tci_an & 0xFC, tci_an & 3, sl, pn
        self.tag_len = 16 if self.tci & TCI_SC else 8
        self.sci = (struct.unpack_from(">Q", self.raw, self.prefix + 8)[0]
                    if self.tci & TCI_SC else None)
        start = self.prefix + self.tag_len
        end = start + sl if sl else len(self.raw) - ICV_LEN
        self.user_start, self.user_end = start, end
        self.icv = self.raw[end:end + ICV_LEN]


def validate(frame, key, clear_tags=0, offset=0, sci=None, ssci=None, salt=None, pn_high=0):
    """The plain frame DA‖SA‖tags‖EtherType‖payload of a protected one; raises
    cryptography.exceptions.InvalidTag when the ICV does not verify."""
    f = Frame(frame, clear_tags)
    s = f.sci if f.sci is not None else sci
    pn = (pn_high << 32) | f.pn32 if ssci is not None else f.pn32
    user = f.raw[f.user_start:f.user_end]
    conf = bool(f.tci & TCI_E)
    clear = min(offset, len(user)) if conf else len(user)
    aad = f.raw[:f.user_start] + user[:clear]
    pt = AESGCM(key).decrypt(iv(s, pn, ssci, salt), user[clear:] + f.icv, aad)
    return f.raw[:f.prefix] + user[:clear] + pt
