# Interop matrix: our IKEv2 library (ike_udp_peer) against strongSwan, child keys compared byte for byte.
#
# For each group (31, 19, 20) x ESP AES-GCM-16 (128, 256) with PRF_HMAC_SHA2_256, plus two
# cases with PRF_HMAC_SHA2_384 and _512 and two over IPv6, x who initiates (we / strongSwan):
# bring up the IKE SA and its ESP child over UDP (floating to 4500: kernel-libipsec makes
# strongSwan claim NAT, RFC 7296 2.23), then child rekey and IKE rekey by the IKE initiator,
# child rekey and IKE rekey by the IKE responder, and a last child rekey by the initiator.
# Every child's KEYMAT (RFC 7296 2.17; key||salt per RFC 4106) that our side prints must equal
# what strongSwan logs at level 4 for the same SPIs.
# Usage (root): python3 interop_matrix.py PATH/TO/ike_udp_peer [--quick] [--only NAME]
import os
import re
import signal
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402

IKE_RE = re.compile(r"^\S+: #(\d+), (\w+), IKEv2", re.M)
CHILD_RE = re.compile(r"^\s+\S+: #(\d+), reqid \d+, (\w+),", re.M)
FIELD_RE = re.compile(r"(\w+)=(\S*)")


class OurPeer:
    """ike_udp_peer in one namespace; its stdout lines are collected as they come."""

    def __init__(self, the_lab, side, peer_side, tool, case, role, psk_hex, extra_args=(),
                 remote_id=None):
        self.lines, self.lock = [], threading.Lock()
        self.use_signals = False
        psk_file = os.path.join(the_lab.dir, "psk.hex")
        with open(os.open(psk_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(psk_hex + "\n")
        the_lab.runs += 1
        self.stderr = open(os.path.join(the_lab.dir, f"peer-{side}-{the_lab.runs:02d}.stderr"), "w")
        argv = [tool, "--role", role,
                "--local", lab.wire_addr(case, side), "--remote", lab.wire_addr(case, peer_side),
                "--local-id", lab.IDENTITY[side],
                "--remote-id", remote_id or lab.IDENTITY[peer_side],
                "--psk-file", psk_file, "--group", str(case.group),
                "--aes-bits", str(case.aes_bits), "--prf", str(case.prf),
                "--ts-local", lab.ts_subnet(case, side),
                "--ts-remote", lab.ts_subnet(case, peer_side)]
        argv += list(extra_args)
        self.proc = the_lab.spawn(side, argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.stderr, text=True, bufsize=1)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        # A copy goes to the lab directory (removed at the end unless LC_INTEROP_KEEP is set).
        with open(self.stderr.name.replace(".stderr", ".stdout"), "w") as copy:
            for line in self.proc.stdout:
                copy.write(line)
                copy.flush()
                with self.lock:
                    self.lines.append(line.rstrip("\n"))

    def events(self, kind):
        with self.lock:
            found = [ln for ln in self.lines if ln.split(" ", 1)[0] == kind]
        return [dict(FIELD_RE.findall(ln.split(" detail=", 1)[0])) | {"line": ln} for ln in found]

    def check_alive(self):
        failed = self.events("FAILED")
        if failed:
            raise RuntimeError(f"our side reported: {failed[0]['line']}")
        if self.proc.poll() is not None:
            raise RuntimeError(f"ike_udp_peer exited with {self.proc.returncode}; stderr: "
                               + open(self.stderr.name).read()[-1500:])

    # The tool's other command interface; `ip netns exec` execs it, so the pid is the tool's.
    SIGNALS = {"rekey-child": signal.SIGUSR1, "rekey-ike": signal.SIGUSR2, "close": signal.SIGTERM}

    def command(self, cmd):
        if self.use_signals:
            os.kill(self.proc.pid, self.SIGNALS[cmd])
            return
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()

    def close(self):
        """Asks for an orderly close (INFORMATIONAL Delete) and returns the exit code."""
        try:
            self.command("close")
            return self.proc.wait(timeout=15)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            lab.stop_process(self.proc)
            return None
        finally:
            self.reader.join(timeout=5)
            self.stderr.close()


def newest(regex, text, state):
    ids = [int(i) for i, s in regex.findall(text) if s == state]
    return str(max(ids)) if ids else None


def ss_trigger(charon, what):
    """swanctl rekey of the current SA by unique id, so an SA on its way out is never picked."""
    sas = charon.swanctl("--list-sas")
    if what == "child":
        charon.swanctl("--rekey", "--child-id", newest(CHILD_RE, sas, "INSTALLED"))
    else:
        charon.swanctl("--rekey", "--ike-id", newest(IKE_RE, sas, "ESTABLISHED"))


def wait_step(ours, charon, children, ike_sas, what):
    state = {}

    def done():
        ours.check_alive()
        log = lab.parse_charon_log(charon.log())
        sas = charon.swanctl("--list-sas")
        state.update(
            ours_children=len(ours.events("CHILD_KEYS")),
            ours_ike_rekeys=len(ours.events("IKE_REKEYED")),
            ss_children=len(lab.complete_children(log)),
            ss_ike_sas=len(log.sk_d),
            ss_sas=[s for _, s in IKE_RE.findall(sas)] + [s for _, s in CHILD_RE.findall(sas)])
        return (state["ours_children"] >= children and state["ss_children"] >= children
                and state["ours_ike_rekeys"] >= ike_sas - 1 and state["ss_ike_sas"] >= ike_sas
                and state["ss_sas"] == ["ESTABLISHED", "INSTALLED"])
    try:
        lab.wait_for(done, what)
    except TimeoutError as e:
        raise TimeoutError(f"{e}; last state {state}") from None


REDACT_RE = re.compile(r"\b(encr_[ir])=[0-9a-f]+")
EXCHANGE_RE = re.compile(r"\[(ENC|IKE)\] .*(generating|parsed|retransmit|NAT|failed|error|collision)")


def diagnose(ours, charon, lines=12):
    """What each side last said, for a failure report (keys redacted: the harness compares
    them, nobody needs to read them; LC_INTEROP_KEEP=1 keeps everything)."""
    out = ["-- our side, last lines:"]
    if ours:
        with ours.lock:
            out += [REDACT_RE.sub(r"\1=<redacted>", ln) for ln in ours.lines[-lines:]]
    out.append("-- strongSwan, last exchanges:")
    try:
        out += [ln for ln in charon.log().splitlines() if EXCHANGE_RE.search(ln)][-lines:]
    except OSError:
        out.append("(no charon log)")
    return out


def run_case(the_lab, tool, case, we_initiate, ss_overrides=None, our_args=(), extra_check=None,
             ss_key=None, use_signals=False):
    """The full sequence; extra_check(ours, ss_log) -> [errors] adds case-specific checks;
    ss_key: a private key (PEM) for strongSwan's signature authentication; use_signals: drive
    our side with SIGUSR1/SIGUSR2/SIGTERM instead of stdin commands."""
    psk_raw, psk_b64 = lab.random_psk()
    ours_side, ss_side = ("a", "b") if we_initiate else ("b", "a")
    charon = lab.Charon(the_lab, ss_side, case, psk_b64, ss_overrides)
    if ss_key:
        charon.install_key(ss_key)
    ours = None
    try:
        charon.start()
        ours = OurPeer(the_lab, ours_side, ss_side, tool, case,
                       "initiator" if we_initiate else "responder", psk_raw.hex(), our_args)
        ours.use_signals = use_signals
        lab.wait_for(lambda: ours.check_alive() or ours.events("LISTENING"), "ike_udp_peer")
        if not we_initiate:
            charon.initiate_async()

        def by_initiator(what):
            ours.command(f"rekey-{what}") if we_initiate else ss_trigger(charon, what)

        def by_responder(what):
            ss_trigger(charon, what) if we_initiate else ours.command(f"rekey-{what}")

        wait_step(ours, charon, 1, 1, "the IKE_AUTH child")
        by_initiator("child")
        wait_step(ours, charon, 2, 1, "child rekey by the IKE initiator")
        by_initiator("ike")
        wait_step(ours, charon, 2, 2, "IKE rekey by the IKE initiator")
        by_responder("child")
        wait_step(ours, charon, 3, 2, "child rekey by the IKE responder")
        by_responder("ike")
        wait_step(ours, charon, 3, 3, "IKE rekey by the IKE responder")
        by_initiator("child")
        wait_step(ours, charon, 4, 3, "second child rekey by the IKE initiator")
        ss_log = lab.parse_charon_log(charon.log())
        errors = check(case, we_initiate, ours, ss_log)
        code = ours.close()
        ours_closed = ours.events("CLOSED")
        if code != 0 or not ours_closed or ours_closed[0]["line"] != "CLOSED":
            errors.append(f"our side did not close cleanly: exit {code}, {ours_closed}")
        if extra_check:  # after the close, so our COUNTERS line is there too
            errors += extra_check(ours, charon.log())
        if errors:
            errors += diagnose(ours, charon)
        return errors
    except (RuntimeError, TimeoutError, ValueError) as e:
        raise type(e)("\n     ".join([str(e)] + diagnose(ours, charon))) from None
    finally:
        if ours and ours.proc.poll() is None:
            lab.stop_process(ours.proc)
        charon.stop()


def check(case, we_initiate, ours, ss_log):
    errors = []
    key_len = case.aes_bits // 8 + 4  # RFC 4106: key plus 4-octet salt per direction
    mine = ours.events("CHILD_KEYS")
    theirs = lab.complete_children(ss_log)
    # Who initiated each CREATE_CHILD_SA exchange: I, I, R, I (the first child is IKE_AUTH's).
    we_started = [we_initiate, we_initiate, not we_initiate, we_initiate]
    if len(mine) != 4 or len(theirs) != 4:
        errors.append(f"expected 4 child SAs: ours {len(mine)}, strongSwan {len(theirs)}")
    for n, (m, t) in enumerate(zip(mine, theirs)):
        tag = f"child {n}"
        if (m["spi_in"], m["spi_out"]) != (t.spi_out, t.spi_in):
            errors.append(f"{tag}: SPIs ours in/out {m['spi_in']}/{m['spi_out']}, "
                          f"strongSwan in/out {t.spi_in}/{t.spi_out}")
        if m["encr_i"] != t.encr_i:
            errors.append(f"{tag}: initiator->responder KEYMAT differs from strongSwan's")
        if m["encr_r"] != t.encr_r:
            errors.append(f"{tag}: responder->initiator KEYMAT differs from strongSwan's")
        if len(m["encr_i"]) != 2 * key_len or len(m["encr_r"]) != 2 * key_len:
            errors.append(f"{tag}: KEYMAT length {len(m['encr_i']) // 2}, expected {key_len}")
        if m["rekey"] != ("1" if n else "0"):
            errors.append(f"{tag}: rekey={m['rekey']}")
        if m["local_initiated"] != ("1" if we_started[n] else "0"):
            errors.append(f"{tag}: local_initiated={m['local_initiated']}, expected {we_started[n]}")
        want_pfs = str(case.group) if n else "none"
        if m["pfs_group"] != want_pfs:
            errors.append(f"{tag}: pfs_group={m['pfs_group']}, expected {want_pfs}")
    up = ours.events("IKE_UP")
    prf_id = {256: "5", 384: "6", 512: "7"}[case.prf]  # IANA Transform Type 2 IDs
    if len(up) != 1 or (up[0]["group"], up[0]["encr_bits"], up[0]["prf"]) != (
            str(case.group), str(case.aes_bits), prf_id):
        errors.append(f"IKE_UP: {[u['line'] for u in up]}")
    elif up[0]["nat_remote"] != "1":
        errors.append("IKE_UP: strongSwan (kernel-libipsec) claims NAT, but nat_remote=0")
    if not ours.events("FLOAT_TO_4500"):
        errors.append("our side never floated to UDP 4500")
    if not ss_log.sent_4500:
        errors.append("strongSwan never sent from UDP 4500")
    if len(ours.events("IKE_REKEYED")) != 2 or len(set(ss_log.sk_d)) != 3:
        errors.append(f"IKE rekeys: ours {len(ours.events('IKE_REKEYED'))}, "
                      f"strongSwan IKE SAs {len(ss_log.sk_d)}")
    bad = [p for p in ss_log.proposals if not case.proposal_ok(p)]
    if bad:
        errors.append(f"strongSwan selected unexpected proposals {bad}")
    return errors


def main():
    lab.require_root_or_skip("the strongSwan interop matrix")
    args = sys.argv[1:]
    if not args or not os.access(args[0], os.X_OK):
        print("usage: interop_matrix.py PATH/TO/ike_udp_peer [--quick] [--only NAME]")
        return 2
    tool = os.path.abspath(args[0])
    cases = [(c, we) for c in lab.MATRIX + lab.PRF_CASES + lab.IPV6_CASES for we in (True, False)]
    if "--quick" in args:
        cases = cases[:2]
    if "--only" in args:
        only = args[args.index("--only") + 1]
        cases = [(c, we) for c, we in cases if only in f"{'ours' if we else 'strongswan'}-init-{c.name}"]
    failed = 0
    with lab.Lab("ik") as the_lab:
        for case, we_initiate in cases:
            name = f"{'ours' if we_initiate else 'strongswan'}-init-{case.name}"
            try:
                # The PRF cases drive our side by signals, the others by stdin commands.
                errors = run_case(the_lab, tool, case, we_initiate,
                                  use_signals=case in lab.PRF_CASES)
            except (RuntimeError, TimeoutError, ValueError) as e:
                errors = [str(e)]
            failed += bool(errors)
            print(f"{'OK  ' if not errors else 'FAIL'} {name}: IKE_AUTH child + 3 child rekeys "
                  f"(PFS) + 2 IKE rekeys, UDP 4500", flush=True)
            for e in errors:
                print(f"     {e}", flush=True)
    print(f"interop_matrix: {len(cases) - failed} of {len(cases)} cases agree with strongSwan")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
