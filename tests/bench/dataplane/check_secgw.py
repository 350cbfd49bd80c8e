#!/usr/bin/env python3
# Checks that ipsec-secgw really protected / unprotected the bench frames (one per input, in order) before its rates are trusted.
# Usage: check_secgw.py protect PLAIN_PCAP ESP_PCAP SPI | check_secgw.py unprotect PLAIN_PCAP OUT_PCAP
#   -> exit 0, or a message and exit 1.
# Expected per RFC 4303 / RFC 4106: outer IPv4 (protocol 50), SPI, sequence 1..N, 8-octet IV,
# payload padded to 4 octets with the 2-octet trailer, 16-octet ICV.
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
from pcap_frames import frames  # noqa: E402  (tests/pcap_frames.py)


def check_protect(plain, esp, spi):
    if len(esp) != len(plain):
        sys.exit(f'check_secgw: {len(plain)} plain frames in, {len(esp)} ESP frames out')
    for seq, (p, e) in enumerate(zip(plain, esp), start=1):
        inner_len = len(p) - 14
        want = 14 + 20 + 8 + 8 + (inner_len + 2 + 3) // 4 * 4 + 16
        if e[12:14] != b'\x08\x00' or e[23] != 50:
            sys.exit(f'check_secgw: frame {seq} is not IPv4/ESP')
        got_spi, got_seq = struct.unpack('!II', e[34:42])
        if (got_spi, got_seq) != (spi, seq) or len(e) != want:
            sys.exit(f'check_secgw: frame {seq}: spi {got_spi} seq {got_seq} len {len(e)}, want {spi} {seq} {want}')
        if p[14:] in e:
            sys.exit(f'check_secgw: frame {seq} carries its plaintext')
    print(f'check_secgw: {len(esp)} frames ESP-protected, SPI {spi}, sequence 1..{len(esp)}')


def without_ttl(ip):
    # The gateway decrements the inner TTL on each pass (RFC 791 forwarding) and fixes the checksum.
    return ip[:8] + ip[9:10] + ip[12:]


def check_unprotect(plain, out):
    if len(out) != len(plain):
        sys.exit(f'check_secgw: {len(plain)} frames protected, {len(out)} came out')
    for seq, (p, o) in enumerate(zip(plain, out), start=1):
        if without_ttl(o[14:]) != without_ttl(p[14:]):
            sys.exit(f'check_secgw: decrypted frame {seq} differs from the original')
    print(f'check_secgw: {len(out)} frames decrypted back to the originals')


def main():
    if sys.argv[1] == 'protect':
        check_protect(list(frames(sys.argv[2])), list(frames(sys.argv[3])), int(sys.argv[4]))
    else:
        check_unprotect(list(frames(sys.argv[2])), list(frames(sys.argv[3])))


main()
