# Signature authentication against strongSwan: RFC 7427 with X.509 certificates and raw public keys.
#
# Ed25519 (RFC 8420), ECDSA P-256 with SHA-256 and RSA-2048 with RSASSA-PSS (SHA-256, salt 32:
# a raw key from a file with us initiating, on a token with strongSwan initiating, to keep the
# suite short); certificates from a throw-away CA made with
# the openssl CLI (subjectAltName = the IKE identity), raw keys as SubjectPublicKeyInfo.
# Each method x algorithm runs with us and with strongSwan initiating, through the full
# sequence of interop_matrix (child and IKE rekeys by both sides), child keys compared.
# Then strongSwan's certificate from a CA we do not trust, and one checked past its expiry,
# must each end in the typed failure on our side and AUTHENTICATION_FAILED at strongSwan.
# Usage (root): python3 interop_auth.py PATH/TO/ike_udp_peer [--only NAME]
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_matrix as matrix  # noqa: E402
import interop_negotiation as negotiation  # noqa: E402
import lab  # noqa: E402

SCHEME = {"ed25519": "ED25519", "ecdsa": "ECDSA_WITH_SHA256_DER", "rsa": "RSA_EMSA_PSS_SHA2_256_SALT_32"}  # strongSwan's names


SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def make_token(lab_dir, pki, algo):
    """A softhsm2 token per algorithm holding a.key and b.key (issue 11 §3: our side signs on the
    token, strongSwan keeps its file key). Returns (module, pin file)."""
    tokdir = os.path.join(lab_dir, "tokens")
    os.makedirs(tokdir, mode=0o700, exist_ok=True)
    conf = os.path.join(lab_dir, "softhsm2.conf")
    with open(conf, "w") as f:
        f.write(f"directories.tokendir = {tokdir}\n")
    os.environ["SOFTHSM2_CONF"] = conf
    pin = os.path.join(lab_dir, "token.pin")
    fd = os.open(pin, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, b"4711\n")
    os.close(fd)
    lab.run("softhsm2-util", "--init-token", "--free", "--label", f"interop-{algo}",
            "--so-pin", "12345678", "--pin", "4711")
    for name in ("a", "b"):
        lab.run("softhsm2-util", "--import", pki.path(f"{name}.key"), "--token", f"interop-{algo}",
                "--label", name, "--id", "0a" if name == "a" else "0b", "--pin", "4711")
    return SOFTHSM_MODULE, pin


def run_auth_case(the_lab, tool, pki, method, we_initiate, token=None):
    ours, ss = ("a", "b") if we_initiate else ("b", "a")
    if token:
        module, pin, algo = token
        our_args = ["--auth", "rawkey", "--key-uri", f"pkcs11:token=interop-{algo};object={ours}",
                    "--pkcs11-module", module, "--pin-file", pin,
                    "--peer-pubkey-file", pki.path(f"{ss}.pub.der")]
        method = "rawkey"
    elif method == "cert":
        our_args = ["--auth", "cert", "--key-file", pki.path(f"{ours}.key"),
                    "--cert-file", pki.path(f"{ours}.der"), "--ca-file", pki.path("ca.der")]
    else:
        our_args = ["--auth", "rawkey", "--key-file", pki.path(f"{ours}.key"),
                    "--peer-pubkey-file", pki.path(f"{ss}.pub.der")]

    def extra(_ours, log):
        # strongSwan verified our signature, and signed with the same scheme itself.
        errors = []
        for who in (f"'{lab.IDENTITY[ours]}'", f"'{lab.IDENTITY[ss]}' \\(myself\\)"):
            if not re.search(f"authentication of {who} with {SCHEME[pki.algo]} successful", log):
                errors.append(f"strongSwan did not log authentication of {who} "
                              f"with {SCHEME[pki.algo]}; it logged: " +
                              "; ".join(re.findall(r"authentication of .* with \S+ successful", log)))
        return errors

    return matrix.run_case(the_lab, tool, lab.Case(31, 128), we_initiate,
                           ss_overrides=lab.charon_auth(pki, method, ss, ours),
                           our_args=our_args, extra_check=extra,
                           ss_key=pki.path(f"{ss}.key"))


def run_cert_failure(the_lab, tool, pki, other_pki, kind, we_initiate):
    """Our side must reject strongSwan's certificate with a typed reason:
    untrusted  we trust another CA (RFC 5280 path validation fails): CertificateUntrusted
    expired    we check validity 5 days ahead; the certificates live 2 days: CertificateExpired
    and tell strongSwan with AUTHENTICATION_FAILED (RFC 7296 2.21.2)."""
    ours, ss = ("a", "b") if we_initiate else ("b", "a")
    ca = other_pki.path("ca.der") if kind == "untrusted" else pki.path("ca.der")
    our_args = ["--auth", "cert", "--key-file", pki.path(f"{ours}.key"),
                "--cert-file", pki.path(f"{ours}.der"), "--ca-file", ca]
    if kind == "expired":
        our_args += ["--cert-check-time", str(int(time.time()) + 5 * 86400)]
    reason = {"untrusted": "CertificateUntrusted", "expired": "CertificateExpired"}[kind]
    # As initiator we refuse the responder's IKE_AUTH answer and send an INFORMATIONAL with
    # AUTHENTICATION_FAILED; as responder we answer IKE_AUTH with it.
    ss_pattern = (r"parsed INFORMATIONAL request \d+ \[ N\(AUTH_FAILED\) \]" if we_initiate
                  else r"received AUTHENTICATION_FAILED notify error")
    return negotiation.run_failure(the_lab, tool, we_initiate, reason, False, ss_pattern,
                                   ss_overrides=lab.charon_auth(pki, "cert", ss, ours),
                                   our_args=our_args, ss_key=pki.path(f"{ss}.key"))


def main():
    lab.require_root_or_skip("the strongSwan signature-authentication interop cases")
    args = sys.argv[1:]
    if not args or not os.access(args[0], os.X_OK):
        print("usage: interop_auth.py PATH/TO/ike_udp_peer [--only NAME]")
        return 2
    tool = os.path.abspath(args[0])
    only = args[args.index("--only") + 1] if "--only" in args else ""
    failed = total = 0
    with lab.Lab("au") as the_lab:
        pkis = {algo: lab.make_pki(the_lab.dir, algo) for algo in ("ed25519", "ecdsa", "rsa")}
        tokens = {algo: make_token(the_lab.dir, pki, algo) + (algo,) for algo, pki in pkis.items()}
        for kind in ("untrusted", "expired"):
            for we_initiate in (True, False):
                name = f"cert-{kind}-{'ours' if we_initiate else 'strongswan'}-init"
                if only not in name:
                    continue
                total += 1
                try:
                    errors = run_cert_failure(the_lab, tool, pkis["ecdsa"], pkis["ed25519"],
                                              kind, we_initiate)
                except (RuntimeError, TimeoutError, ValueError) as e:
                    errors = [str(e)]
                failed += bool(errors)
                print(f"{'OK  ' if not errors else 'FAIL'} {name}", flush=True)
                for e in errors:
                    print(f"     {e}", flush=True)
        for algo, pki in pkis.items():
            for method in ("cert", "rawkey", "rawkey-token"):
                for we_initiate in (True, False):
                    name = f"{method}-{algo}-{'ours' if we_initiate else 'strongswan'}-init"
                    if only not in name:
                        continue
                    # RSA-PSS: two cases (file key, we initiate; token key, strongSwan initiates).
                    if algo == "rsa" and (method == "cert" or (method == "rawkey") != we_initiate):
                        continue
                    total += 1
                    try:
                        errors = run_auth_case(the_lab, tool, pki, method, we_initiate,
                                               tokens[algo] if method == "rawkey-token" else None)
                    except (RuntimeError, TimeoutError, ValueError) as e:
                        errors = [str(e)]
                    failed += bool(errors)
                    print(f"{'OK  ' if not errors else 'FAIL'} {name}", flush=True)
                    for e in errors:
                        print(f"     {e}", flush=True)
    print(f"interop_auth: {total - failed} of {total} cases agree with strongSwan")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
