# Proves the interop lab with strongSwan on both ends: NAT float to 4500, rekeys, both logs agree.
#
# This needs nothing from our library. It shows the environment works (namespaces, private
# charon instances, kernel-libipsec) and that lab.py reads the keys out of charon's log
# correctly: the initiator's and the responder's logged KEYMAT must be identical for every
# child SA, and every rekey must produce fresh keys.
# Usage (root): python3 strongswan_pair.py [--quick]
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402

IKE_RE = re.compile(r"^\S+: #\d+, (\w+), IKEv2", re.M)
CHILD_RE = re.compile(r"^\s+\S+: #\d+, reqid \d+, (\w+),", re.M)


def settled(charon):
    """One established IKE SA with exactly one installed child and nothing half-done."""
    sas = charon.swanctl("--list-sas")
    return IKE_RE.findall(sas) == ["ESTABLISHED"] and CHILD_RE.findall(sas) == ["INSTALLED"]


def wait_step(a, b, children, ike_sas, what):
    def done():
        for c in (a, b):
            log = lab.parse_charon_log(c.log())
            if len(lab.complete_children(log)) < children or len(log.sk_d) < ike_sas:
                return False
        return settled(a) and settled(b)
    lab.wait_for(done, what)


def run_case(the_lab, case, auth=None):
    """auth: None for PSK, or (method, pki) with method "cert" or "rawkey"."""
    _, psk_b64 = lab.random_psk()
    over = {s: lab.charon_auth(auth[1], auth[0], s, "b" if s == "a" else "a") if auth else None
            for s in "ab"}
    a = lab.Charon(the_lab, "a", case, psk_b64, over["a"])
    b = lab.Charon(the_lab, "b", case, psk_b64, over["b"])
    if auth:
        a.install_key(auth[1].path("a.key"))
        b.install_key(auth[1].path("b.key"))
    try:
        b.start()
        a.start()
        # The sequence: child from IKE_AUTH, child rekey and IKE rekey by the IKE initiator,
        # then a child rekey and an IKE rekey by the IKE responder, then a last child rekey
        # (its KEYMAT comes from SK_d of an IKE SA that was itself rekeyed twice).
        a.swanctl("--initiate", "--child", "lc")
        wait_step(a, b, 1, 1, "the IKE_AUTH child")
        a.swanctl("--rekey", "--child", "lc")
        wait_step(a, b, 2, 1, "child rekey by the initiator")
        a.swanctl("--rekey", "--ike", "lc")
        wait_step(a, b, 2, 2, "IKE rekey by the initiator")
        b.swanctl("--rekey", "--child", "lc")
        wait_step(a, b, 3, 2, "child rekey by the responder")
        b.swanctl("--rekey", "--ike", "lc")
        wait_step(a, b, 3, 3, "IKE rekey by the responder")
        a.swanctl("--rekey", "--child", "lc")
        wait_step(a, b, 4, 3, "second child rekey by the initiator")
        return check(case, lab.parse_charon_log(a.log()), lab.parse_charon_log(b.log()),
                     f"{auth[0]}-{auth[1].algo}" if auth else "psk")
    finally:
        a.stop()
        b.stop()


def check(case, la, lb, auth_name):
    errors = []
    ca, cb = lab.complete_children(la), lab.complete_children(lb)
    key_len = case.aes_bits // 8 + 4   # RFC 4106: key plus 4-octet salt per direction
    if len(ca) != 4 or len(cb) != 4:
        errors.append(f"expected 4 child SAs, a logged {len(ca)}, b logged {len(cb)}")
    for n, (x, y) in enumerate(zip(ca, cb)):
        if (x.spi_in, x.spi_out) != (y.spi_out, y.spi_in):
            errors.append(f"child {n}: SPIs do not pair up: a {x.spi_in}/{x.spi_out} "
                          f"b {y.spi_in}/{y.spi_out}")
        if (x.encr_i, x.encr_r) != (y.encr_i, y.encr_r):
            errors.append(f"child {n}: a and b logged different keys")
        if len(x.encr_i) != 2 * key_len or len(x.encr_r) != 2 * key_len:
            errors.append(f"child {n}: key length {len(x.encr_i) // 2}, expected {key_len}")
    all_keys = [k for c in ca for k in (c.encr_i, c.encr_r)]
    if len(set(all_keys)) != len(all_keys):
        errors.append("a rekey reused key material")
    if la.sk_d != lb.sk_d or len(la.sk_d) != 3 or len(set(la.sk_d)) != 3:
        errors.append(f"SK_d: a logged {len(la.sk_d)}, b {len(lb.sk_d)}, equal={la.sk_d == lb.sk_d}")
    for side, log in (("a", la), ("b", lb)):
        bad = [p for p in log.proposals if not case.proposal_ok(p)]
        if bad or not log.proposals:
            errors.append(f"{side}: unexpected selected proposals {bad or 'none logged'}")
        if not log.nat_lines:
            errors.append(f"{side}: no NAT detected (kernel-libipsec should make charon claim it)")
        if not log.sent_4500:
            errors.append(f"{side}: never sent from UDP 4500")
    status = "OK" if not errors else "FAIL"
    print(f"{status:4} strongSwan<->strongSwan {case.name} {auth_name}: 4 child SAs, 3 IKE SAs, "
          f"NAT: {la.nat_lines[0] if la.nat_lines else '-'}", flush=True)
    for e in errors:
        print(f"     {e}")
    return not errors


def main():
    lab.require_root_or_skip("the strongSwan<->strongSwan interop proof")
    cases = lab.MATRIX[:1] if "--quick" in sys.argv else lab.MATRIX + lab.PRF_CASES + lab.IPV6_CASES
    ok = True
    with lab.Lab("ss") as the_lab:
        runs = [(c, None) for c in cases]
        if "--quick" not in sys.argv:
            # Signature authentication (RFC 7427): X.509 and raw public keys, Ed25519 and P-256.
            for algo in ("ed25519", "ecdsa"):
                pki = lab.make_pki(the_lab.dir, algo)
                runs += [(lab.MATRIX[0], (method, pki)) for method in ("cert", "rawkey")]
        for case, auth in runs:
            try:
                ok = run_case(the_lab, case, auth) and ok
            except (RuntimeError, TimeoutError, ValueError) as e:
                print(f"FAIL strongSwan<->strongSwan {case.name} {auth and auth[0]}: {e}")
                ok = False
    print("strongswan_pair:", "all cases agree" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
