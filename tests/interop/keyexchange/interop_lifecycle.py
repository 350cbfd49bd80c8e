# SA lifecycle against strongSwan: deletes by the peer, liveness checks both ways, a dead peer.
#
# Each case runs with us and with strongSwan initiating the IKE SA:
#   peer-deletes     strongSwan deletes the child, then the IKE SA (RFC 7296 1.4.1): our side
#                    reports DELETED for each (by_peer=1) and ends closed (exit 0)
#   liveness-by-us   we check liveness when idle (empty INFORMATIONAL, RFC 7296 2.4, --dpd-ms
#                    300); strongSwan answers
#   liveness-by-strongswan  strongSwan checks (dpd_delay = 1s); we answer
#   peer-dead        strongSwan is killed (SIGKILL: no Delete); our next liveness check is
#                    retransmitted --retransmit-limit times and our side reports PEER_DEAD
# Usage (root): python3 interop_lifecycle.py PATH/TO/ike_udp_peer [--only NAME]
import contextlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_matrix as matrix  # noqa: E402
import lab  # noqa: E402


@contextlib.contextmanager
def established(the_lab, tool, we_initiate, ss_overrides=None, our_args=()):
    """Yields (charon, ours) with the IKE SA and its first child up; cleans both up."""
    case = lab.Case(31, 128)
    psk_raw, psk_b64 = lab.random_psk()
    ours_side, ss_side = ("a", "b") if we_initiate else ("b", "a")
    charon = lab.Charon(the_lab, ss_side, case, psk_b64, ss_overrides)
    ours = None
    try:
        charon.start()
        ours = matrix.OurPeer(the_lab, ours_side, ss_side, tool, case,
                              "initiator" if we_initiate else "responder", psk_raw.hex(),
                              our_args)
        lab.wait_for(lambda: ours.check_alive() or ours.events("LISTENING"), "ike_udp_peer")
        if not we_initiate:
            charon.initiate_async()
        matrix.wait_step(ours, charon, 1, 1, "the IKE_AUTH child")
        yield charon, ours
    finally:
        if ours:
            if ours.proc.poll() is None:
                ours.close()
            else:
                ours.reader.join(timeout=5)
                ours.stderr.close()
        charon.stop()


def peer_deletes_case(the_lab, tool, we_initiate):
    errors = []
    with established(the_lab, tool, we_initiate) as (charon, ours):
        our_child = ours.events("CHILD_KEYS")[0]
        sas = charon.swanctl("--list-sas")
        charon.swanctl("--terminate", "--child-id", matrix.newest(matrix.CHILD_RE, sas, "INSTALLED"))
        lab.wait_for(lambda: ours.events("DELETED"), "our side to see the child deleted")
        d = ours.events("DELETED")[0]
        if (d["ike"], d["spi_in"], d["by_peer"]) != ("0", our_child["spi_in"], "1"):
            errors.append(f"child delete: expected ike=0 spi_in={our_child['spi_in']} "
                          f"by_peer=1, got {d['line']}")
        charon.swanctl("--terminate", "--ike-id", matrix.newest(matrix.IKE_RE, sas, "ESTABLISHED"))
        lab.wait_for(lambda: ours.proc.poll() is not None, "our side to close")
        deleted = ours.events("DELETED")
        if len(deleted) != 2 or (deleted[1]["ike"], deleted[1]["by_peer"]) != ("1", "1"):
            errors.append(f"IKE delete: got {[e['line'] for e in deleted]}")
        if ours.proc.returncode != 0 or [e["line"] for e in ours.events("CLOSED")] != ["CLOSED"]:
            errors.append(f"our side exited {ours.proc.returncode}, {ours.events('CLOSED')}")
        if not re.search(r"parsed INFORMATIONAL response \d+ \[ D \]", charon.log()):
            errors.append("strongSwan did not get our answer to its child Delete")
    return errors


def liveness_case(the_lab, tool, we_initiate, by_us):
    """One side checks liveness, the other answers. Only one side checks per case: each
    side's check is traffic for the other and would keep the other from ever being idle."""
    errors = []
    if by_us:
        over, args = None, ["--dpd-ms", "300"]
        asked = r"parsed INFORMATIONAL request \d+ \[ \](?s:.*)generating INFORMATIONAL response \d+ \[ \]"
    else:
        over, args = {"conn_extra": "dpd_delay = 1s"}, ["--dpd-ms", "0"]
        asked = r"sending DPD request(?s:.*)parsed INFORMATIONAL response \d+ \[ \]"
    with established(the_lab, tool, we_initiate, ss_overrides=over, our_args=args) as (charon, ours):
        lab.wait_for(lambda: re.search(asked, charon.log()),
                     f"{'our' if by_us else 'strongSwan' + chr(39) + 's'} liveness check to be answered")
        ours.check_alive()
        if ours.events("DELETED") or ours.events("PEER_DEAD"):
            errors.append("the SA did not survive the liveness check")
    return errors


def peer_dead_case(the_lab, tool, we_initiate):
    errors = []
    args = ["--dpd-ms", "300", "--retransmit-base-ms", "100", "--retransmit-limit", "3"]
    with established(the_lab, tool, we_initiate, our_args=args) as (charon, ours):
        charon.kill()
        lab.wait_for(lambda: ours.events("PEER_DEAD") or ours.proc.poll() is not None,
                     "our side to declare the peer dead")
        lab.wait_for(lambda: ours.proc.poll() is not None, "our side to exit")
        if not ours.events("PEER_DEAD"):
            errors.append(f"no PEER_DEAD; our side said {ours.lines[-4:]}")
    return errors


CASES = {
    "peer-deletes": peer_deletes_case,
    "liveness-by-us": lambda the_lab, tool, we: liveness_case(the_lab, tool, we, True),
    "liveness-by-strongswan": lambda the_lab, tool, we: liveness_case(the_lab, tool, we, False),
    "peer-dead": peer_dead_case,
}


def main():
    lab.require_root_or_skip("the strongSwan SA lifecycle interop cases")
    args = sys.argv[1:]
    if not args or not os.access(args[0], os.X_OK):
        print("usage: interop_lifecycle.py PATH/TO/ike_udp_peer [--only NAME]")
        return 2
    tool = os.path.abspath(args[0])
    only = args[args.index("--only") + 1] if "--only" in args else ""
    runs = [(name, fn, we) for name, fn in CASES.items() for we in (True, False)
            if only in f"{name}-{'ours' if we else 'strongswan'}-init"]
    failed = 0
    with lab.Lab("lc") as the_lab:
        for name, fn, we_initiate in runs:
            label = f"{name}-{'ours' if we_initiate else 'strongswan'}-init"
            try:
                errors = fn(the_lab, tool, we_initiate)
            except (RuntimeError, TimeoutError, ValueError) as e:
                errors = [str(e)]
            failed += bool(errors)
            print(f"{'OK  ' if not errors else 'FAIL'} {label}", flush=True)
            for e in errors:
                print(f"     {e}", flush=True)
    print(f"interop_lifecycle: {len(runs) - failed} of {len(runs)} cases as expected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
