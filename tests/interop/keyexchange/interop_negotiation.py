# Negotiation edge cases against strongSwan: INVALID_KE_PAYLOAD retry, and typed failures on both sides.
#
# Each case runs once with us as the initiator and once with strongSwan as the initiator:
#   invalid-ke      the initiator's KE is for a group the responder does not accept; the
#                   responder names its group in INVALID_KE_PAYLOAD and the initiator retries
#                   (RFC 7296 1.2, 3.10.1); then the full rekey sequence with keys compared
#   wrong-psk       the two PSKs differ: AUTHENTICATION_FAILED (RFC 7296 2.15, 2.21.2)
#   no-proposal     AES-GCM-16-128 against AES-GCM-16-256 only: NO_PROPOSAL_CHOSEN (3.10.1);
#                   as initiator we report it only after our retransmissions (2.21.1)
#   wrong-identity  the responder is not who the initiator expects (3.5): the expecting
#                   side rejects it
#   loss            our side drops the first IKE_AUTH and CREATE_CHILD_SA responses (as receiver
#                   when we initiate, as sender when we respond): the initiator retransmits and
#                   the responder answers from its cache (RFC 7296 2.1); keys still compared
#   collision       both sides rekey the same child at once, requests crossing (RFC 7296 2.8.1)
#   rekey-vs-delete the peer's rekey request arrives after we rekeyed and deleted that child
#                   (2.25.1: CHILD_SA_NOT_FOUND)
#   ppk-required    RFC 8784 PPK on both sides, required: USE_PPK, PPK_IDENTITY, SK_d/SK_pi/SK_pr
#                   = prf+(PPK, ...); then child and IKE rekeys, every child's keys compared
#                   (they come from the PPK'd SK_d) and strongSwan logs "using PPK"
#   ppk-fallback    strongSwan holds no PPK, ours is optional: the SA comes up unprotected and
#                   our IKE_UP says ppk_fallback=1; keys compared
#   ppk-no-ppk-auth strongSwan holds a PPK under another id, both optional: the responder
#                   verifies NO_PPK_AUTH (RFC 8784 3) instead of AUTH
#   ppk-mismatch    same PPK id, different values: AUTHENTICATION_FAILED, no child SA
#   ppk-unknown     the initiator's PPK id is not the responder's, responder requires one:
#                   PpkUnknown when we respond, strongSwan's refusal when it does
#   ppk-no-peer-ppk ours required, strongSwan holds no PPK: PpkRequired, no child SA
# Usage (root): python3 interop_negotiation.py PATH/TO/ike_udp_peer [--only NAME]
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import interop_matrix as matrix  # noqa: E402
import lab  # noqa: E402


def invalid_ke_case(the_lab, tool, we_initiate):
    """Group 19 is what the responder accepts; the initiator's first group is 31."""
    case = lab.Case(19, 128)
    if we_initiate:
        def extra(ours, _log):
            retry = ours.events("INVALID_KE_RETRY")
            return [] if [r["group"] for r in retry] == ["19"] else [
                f"expected one INVALID_KE_RETRY group=19, got {[r['line'] for r in retry]}"]
        return matrix.run_case(the_lab, tool, case, True, our_args=["--ike-groups", "31,19"],
                               extra_check=extra)

    def extra(_ours, log):
        msg = "peer didn't accept DH group CURVE_25519, it requested ECP_256"
        return [] if msg in log else [f"strongSwan did not log '{msg}'"]
    return matrix.run_case(
        the_lab, tool, case, False, extra_check=extra,
        ss_overrides={"ike_proposal": "aes128gcm16-prfsha256-curve25519-ecp256"})


def run_failure(the_lab, tool, we_initiate, our_reason, our_by_peer, ss_pattern,
                ss_overrides=None, our_args=(), our_psk=None, our_remote_id=None,
                keys_allowed=False, ss_key=None):
    """Starts both sides, waits until our side reports FAILED with our_reason (by_peer: the
    peer told us by a notify) and strongSwan's log matches ss_pattern. keys_allowed: our side
    is the responder and the initiator rejects our IKE_AUTH response, so we had derived the
    first child's keys before hearing about it (RFC 7296 2.21.2)."""
    case = lab.Case(31, 128)
    psk_raw, psk_b64 = lab.random_psk()
    ours_side, ss_side = ("a", "b") if we_initiate else ("b", "a")
    charon = lab.Charon(the_lab, ss_side, case, psk_b64, ss_overrides)
    if ss_key:
        charon.install_key(ss_key)
    ours = None
    state = {}
    try:
        charon.start()
        ours = matrix.OurPeer(the_lab, ours_side, ss_side, tool, case,
                              "initiator" if we_initiate else "responder",
                              (our_psk or psk_raw).hex(), our_args, our_remote_id)
        lab.wait_for(lambda: ours.events("LISTENING") or ours.proc.poll() is not None,
                     "ike_udp_peer")
        if not we_initiate:
            charon.initiate_async()

        def done():
            state["ours"] = [e["line"] for e in ours.events("FAILED")]
            state["ss"] = re.search(ss_pattern, charon.log())
            return state["ours"] and state["ss"]
        try:
            lab.wait_for(done, "both sides to report the failure")
        except TimeoutError as e:
            return [f"{e}: ours {state.get('ours')}, strongSwan matched={bool(state.get('ss'))}"]
        errors = []
        failed = ours.events("FAILED")
        if (failed[0].get("reason"), failed[0].get("by_peer")) != (our_reason, str(int(our_by_peer))):
            errors.append(f"our side: expected reason={our_reason} by_peer={int(our_by_peer)}, "
                          f"got {failed[0]['line']}")
        if our_reason == "NoProposalChosen" and "-" in (failed[0].get("local_offer", "-"),
                                                     failed[0].get("peer_offer", "-")):
            errors.append("NoProposalChosen without both offers")
        if ours.events("CHILD_KEYS") and not keys_allowed:
            errors.append("our side derived child keys although the exchange failed")
        print(f"     ours: {failed[0]['line']}")
        print(f"     strongSwan: {state['ss'].group(0).splitlines()[0]}")
        return errors
    finally:
        if ours:
            ours.close()
        charon.stop()


def wrong_psk_case(the_lab, tool, we_initiate):
    other_psk, _ = lab.random_psk()
    # RFC 7296 2.21.2: the responder that cannot verify AUTH answers AUTHENTICATION_FAILED.
    ss_pattern = (r"received AUTHENTICATION_FAILED notify error" if not we_initiate
                  else r"tried \d+ shared key for .* but MAC mismatched")
    return run_failure(the_lab, tool, we_initiate, "AuthenticationFailed", we_initiate,
                       ss_pattern, our_psk=other_psk)


def no_proposal_case(the_lab, tool, we_initiate):
    ss = {"ike_proposal": "aes256gcm16-prfsha256-curve25519",
          "esp_proposal": "aes256gcm16-curve25519"}
    ss_pattern = (r"received NO_PROPOSAL_CHOSEN notify error" if not we_initiate
                  else r"received proposals unacceptable(?s:.*)generating IKE_SA_INIT response 0 \[ N\(NO_PROP\) \]")
    # RFC 7296 2.21.1: as initiator we do not trust strongSwan's NO_PROPOSAL_CHOSEN (it is not
    # authenticated): we keep retransmitting and fail only when that runs out, naming the
    # untrusted notify (by_peer 0). Short timers keep that wait short.
    our_args = ["--retransmit-base-ms", "200", "--retransmit-limit", "2"] if we_initiate else []
    return run_failure(the_lab, tool, we_initiate, "NoProposalChosen", False, ss_pattern,
                       ss_overrides=ss, our_args=our_args)


def wrong_identity_case(the_lab, tool, we_initiate):
    if we_initiate:
        # We expect someone else: strongSwan authenticates fine, our side must refuse it.
        # RFC 7296 2.21.2: we tell the responder with AUTHENTICATION_FAILED and it deletes.
        return run_failure(the_lab, tool, True, "PeerIdMismatch", False,
                           r"parsed INFORMATIONAL request \d+ \[ N\(AUTH_FAILED\) \]"
                           r"(?s:.*)IKE_SA deleted",
                           our_remote_id="not-b.interop.linkcrypt.test")
    # strongSwan expects someone else than us as the responder: it rejects our IKE_AUTH
    # response and tells us so.
    return run_failure(the_lab, tool, False, "AuthenticationFailed", True,
                       r"constraint check failed: identity 'not-b\.interop\.linkcrypt\.test' required",
                       ss_overrides={"remote_id": "not-b.interop.linkcrypt.test"},
                       keys_allowed=True)


def loss_case(the_lab, tool, we_initiate):
    # The first IKE_AUTH response and the first CREATE_CHILD_SA response are lost; their
    # retransmissions (occurrence 2) go through.
    lost = "IKE_AUTH.response.1,CREATE_CHILD_SA.response.1"
    if we_initiate:
        args = ["--drop-rx", lost]   # we lose strongSwan's responses and must retransmit

        def extra(ours, log):
            c = ours.events("COUNTERS")[0]
            errors = []
            if c["rx_injected_drops"] != "2" or int(c["session_tx_retransmits"]) < 2:
                errors.append(f"expected 2 drops and >= 2 retransmits by us: {c['line']}")
            seen = re.findall(r"received retransmit of request with ID (\d+)", log)
            if seen[:2] != ["1", "2"]:
                errors.append(f"strongSwan answered retransmits of requests {seen}, expected 1, 2")
            return errors
    else:
        args = ["--drop-tx", lost]   # strongSwan loses our responses and must retransmit

        def extra(ours, log):
            c = ours.events("COUNTERS")[0]
            errors = []
            if c["tx_injected_drops"] != "2" or int(c["session_rx_retransmits"]) < 2:
                errors.append(f"expected 2 drops and >= 2 requests answered from cache: {c['line']}")
            seen = re.findall(r"retransmit 1 of request with message ID (\d+)", log)
            if seen[:2] != ["1", "2"]:
                errors.append(f"strongSwan retransmitted requests {seen}, expected 1, 2")
            return errors
    return matrix.run_case(the_lab, tool, lab.Case(31, 128), we_initiate, our_args=args,
                           extra_check=extra)


SA_SPIS_RE = re.compile(r"^\s+in\s+([0-9a-f]{8}),.*\n\s+out\s+([0-9a-f]{8}),", re.M)


# strongSwan refused our rekey because it had already finished its own and is deleting the
# old child (RFC 7296 2.25: TEMPORARY_FAILURE, or CHILD_SA_NOT_FOUND once it is gone).
REFUSED_RE = re.compile(r"generating CREATE_CHILD_SA response \d+ \[ N\((TEMP_FAIL|NO_CHILD_SA)\) \]")


def wait_settled(ours, charon, our_children, what, or_refused=False):
    """Our side has derived our_children child SAs (or, with or_refused, one fewer because
    strongSwan refused our rekey) and strongSwan holds one IKE SA with one installed child (the
    collision is resolved, the redundant SA deleted)."""
    def done():
        ours.check_alive()
        sas = charon.swanctl("--list-sas")
        states = [s for _, s in matrix.IKE_RE.findall(sas)] + [
            s for _, s in matrix.CHILD_RE.findall(sas)]
        have = len(ours.events("CHILD_KEYS"))
        enough = have >= our_children or (
            or_refused and have >= our_children - 1 and REFUSED_RE.search(charon.log()))
        return enough and states == ["ESTABLISHED", "INSTALLED"]
    lab.wait_for(done, what)


def check_survivor(ours, charon):
    """strongSwan's one installed child must be one our side derived, with the same keys."""
    installed = SA_SPIS_RE.findall(charon.swanctl("--list-sas"))
    if len(installed) != 1:
        return [f"strongSwan holds {len(installed)} child SAs"], None
    ss_in, ss_out = installed[0]
    ss_children = {c.spi_in: c for c in lab.complete_children(lab.parse_charon_log(charon.log()))}
    mine = {e["spi_out"]: e for e in ours.events("CHILD_KEYS")}
    m, t = mine.get(ss_in), ss_children.get(ss_in)
    if not m or not t or m["spi_in"] != ss_out:
        return [f"the surviving child {ss_in}/{ss_out} is not one our side derived"], None
    if (m["encr_i"], m["encr_r"]) != (t.encr_i, t.encr_r):
        return ["the surviving child's keys differ from strongSwan's"], None
    return [], (ss_in, ss_out)


def collision_case(the_lab, tool, we_initiate, crossed=True):
    """Both sides rekey the same child at once.
    crossed=True (RFC 7296 2.8.1): strongSwan's (first) CREATE_CHILD_SA request is
      held by our transport, which starts our own rekey at that moment and hands the held
      request to the library once our request is on the wire: the two cross deterministically. Both exchanges complete; the new child with the lowest nonce is
      redundant and is deleted by whoever created it.
    crossed=False (RFC 7296 2.25.1): strongSwan's request is dropped (and our rekey started at
      that moment), our rekey completes and
      we delete the old child; strongSwan's retransmitted request (1 s later) then names a child
      that is gone and must get CHILD_SA_NOT_FOUND."""
    case = lab.Case(31, 128)
    psk_raw, psk_b64 = lab.random_psk()
    ours_side, ss_side = ("a", "b") if we_initiate else ("b", "a")
    # Without the crossing, our rekey and delete must be done before strongSwan retransmits
    # its dropped request: give that 3 s instead of 1 s.
    charon = lab.Charon(the_lab, ss_side, case, psk_b64,
                        None if crossed else {"retransmit_timeout": "3.0"})
    ours = None
    try:
        charon.start()
        ours = matrix.OurPeer(the_lab, ours_side, ss_side, tool, case,
                              "initiator" if we_initiate else "responder", psk_raw.hex(),
                              ["--hold-rx" if crossed else "--drop-rx", "CREATE_CHILD_SA.request.1",
                               "--rekey-child-on-rx", "CREATE_CHILD_SA.request.1"])
        lab.wait_for(lambda: ours.check_alive() or ours.events("LISTENING"), "ike_udp_peer")
        if not we_initiate:
            charon.initiate_async()
        matrix.wait_step(ours, charon, 1, 1, "the IKE_AUTH child")
        # Our side starts its own rekey the moment strongSwan's request arrives (and is held
        # or dropped): no dependence on how fast this script reacts.
        matrix.ss_trigger(charon, "child")
        lab.wait_for(lambda: ours.events("REKEY_ON_RX"), "strongSwan's request to arrive")
        if crossed:
            # Both requests are on the wire before either side answers. strongSwan hands
            # messages to worker threads, so it may still finish its own rekey (our answer)
            # before it looks at our request, and then refuses ours: a legitimate order too.
            wait_settled(ours, charon, 3, "both rekeys and the collision resolution",
                         or_refused=True)
        else:
            lab.wait_for(lambda: re.search(r"parsed CREATE_CHILD_SA response \d+ \[ N\(NO_CHILD_SA\) \]",
                                           charon.log()), "CHILD_SA_NOT_FOUND for strongSwan's retransmit")
            wait_settled(ours, charon, 2, "our rekey")
        log = charon.log()
        errors, survivor = check_survivor(ours, charon)
        # Every child SA, the redundant one included, must have the same keys on both sides.
        ss_children = {c.spi_in: c for c in lab.complete_children(lab.parse_charon_log(log))}
        for e in ours.events("CHILD_KEYS"):
            t = ss_children.get(e["spi_out"])
            if not t or t.spi_out != e["spi_in"] or (t.encr_i, t.encr_r) != (e["encr_i"], e["encr_r"]):
                errors.append(f"child {e['spi_in']}/{e['spi_out']}: not logged by strongSwan "
                              "with the same SPIs and keys")
        want = "detected CHILD_REKEY collision with " + ("CHILD_REKEY" if crossed else "CHILD_DELETE")
        refused = crossed and len(ours.events("CHILD_KEYS")) == 2
        if refused:
            path = f"strongSwan refused our rekey ({REFUSED_RE.search(log).group(1)}), its own won"
        elif want in log:
            path = f"strongSwan: {want}"
        else:
            path = "-"
            errors.append(f"strongSwan did not log '{want}': no collision happened")
        print(f"     {len(ours.events('CHILD_KEYS'))} child SAs derived by us, survivor "
              f"in/out {survivor}, our DELETED events {len(ours.events('DELETED'))}; {path}")
        # Still healthy afterwards: one more rekey from our side, keys compared.
        before = len(ours.events("CHILD_KEYS"))
        ours.command("rekey-child")
        wait_settled(ours, charon, before + 1, "a rekey after the collision")
        more, _ = check_survivor(ours, charon)
        errors += [f"after the collision: {e}" for e in more]
        return errors
    finally:
        if ours:
            ours.close()
        charon.stop()


PPK_ID = "site-ppk-1"


def ppk_args(the_lab, ppk_id, ppk_raw, required):
    """ike_udp_peer's PPK options; the PPK goes to a 0600 file of raw octets."""
    the_lab.runs += 1
    path = os.path.join(the_lab.dir, f"ppk-{the_lab.runs:02d}.bin")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(ppk_raw)
    return ["--ppk-id", ppk_id, "--ppk-file", path] + (["--ppk-required"] if required else [])


def ppk_up_check(want_id, want_fallback):
    def check(ours, log):
        errors = []
        up = ours.events("IKE_UP")
        if not up or (up[0].get("ppk_id"), up[0].get("ppk_fallback")) != (want_id or "-", str(int(want_fallback))):
            errors.append(f"IKE_UP: expected ppk_id={want_id or '-'} ppk_fallback={int(want_fallback)}, "
                          f"got {[u['line'] for u in up]}")
        used = lab.parse_charon_log(log).ppk_ids
        if used != ([want_id] if want_id else []):
            errors.append(f"strongSwan used PPK ids {used}, expected {[want_id] if want_id else []}")
        return errors
    return check


def ppk_required_case(the_lab, tool, we_initiate):
    raw, b64 = lab.random_psk()
    return matrix.run_case(the_lab, tool, lab.Case(31, 128), we_initiate,
                           ss_overrides=lab.ppk_overrides(PPK_ID, b64, True),
                           our_args=ppk_args(the_lab, PPK_ID, raw, True),
                           extra_check=ppk_up_check(PPK_ID, False))


def ppk_fallback_case(the_lab, tool, we_initiate):
    raw, _ = lab.random_psk()
    return matrix.run_case(the_lab, tool, lab.Case(31, 128), we_initiate,
                           our_args=ppk_args(the_lab, PPK_ID, raw, False),
                           extra_check=ppk_up_check(None, True))


def ppk_no_ppk_auth_case(the_lab, tool, we_initiate):
    ours_raw, _ = lab.random_psk()
    _, theirs_b64 = lab.random_psk()
    # strongSwan answers USE_PPK because it holds some PPK; as responder it must not name a
    # ppk_id (it would require that one), as initiator it names its own.
    ss = lab.ppk_overrides("their-ppk", theirs_b64, False)
    if we_initiate:
        ss["conn_extra"] = ""
    return matrix.run_case(the_lab, tool, lab.Case(31, 128), we_initiate, ss_overrides=ss,
                           our_args=ppk_args(the_lab, PPK_ID, ours_raw, False),
                           extra_check=ppk_up_check(None, True))


def ppk_mismatch_case(the_lab, tool, we_initiate):
    ours_raw, _ = lab.random_psk()
    _, theirs_b64 = lab.random_psk()
    ss_pattern = (r"tried \d+ shared key for .* but MAC mismatched" if we_initiate
                  else r"received AUTHENTICATION_FAILED notify error")
    return run_failure(the_lab, tool, we_initiate, "AuthenticationFailed", we_initiate, ss_pattern,
                       ss_overrides=lab.ppk_overrides(PPK_ID, theirs_b64, True),
                       our_args=ppk_args(the_lab, PPK_ID, ours_raw, True))


def ppk_unknown_case(the_lab, tool, we_initiate):
    ours_raw, _ = lab.random_psk()
    _, theirs_b64 = lab.random_psk()
    if we_initiate:
        return run_failure(the_lab, tool, True, "AuthenticationFailed", True,
                           r"received PPK_ID '" + PPK_ID + r"', but require 'their-ppk'",
                           ss_overrides=lab.ppk_overrides("their-ppk", theirs_b64, True),
                           our_args=ppk_args(the_lab, PPK_ID, ours_raw, True))
    return run_failure(the_lab, tool, False, "PpkUnknown", False,
                       r"received AUTHENTICATION_FAILED notify error",
                       ss_overrides=lab.ppk_overrides("their-ppk", theirs_b64, False),
                       our_args=ppk_args(the_lab, PPK_ID, ours_raw, True))


def ppk_no_peer_ppk_case(the_lab, tool, we_initiate):
    raw, _ = lab.random_psk()
    # As initiator we stop after IKE_SA_INIT (strongSwan answered without USE_PPK).
    ss_pattern = (r"generating IKE_SA_INIT response 0" if we_initiate
                  else r"received AUTHENTICATION_FAILED notify error")
    return run_failure(the_lab, tool, we_initiate, "PpkRequired", False, ss_pattern,
                       our_args=ppk_args(the_lab, PPK_ID, raw, True))


CASES = {
    "invalid-ke": invalid_ke_case,
    "wrong-psk": wrong_psk_case,
    "no-proposal": no_proposal_case,
    "wrong-identity": wrong_identity_case,
    "loss": loss_case,
    "collision": collision_case,
    "rekey-vs-delete": lambda the_lab, tool, we: collision_case(the_lab, tool, we, crossed=False),
    "ppk-required": ppk_required_case,
    "ppk-fallback": ppk_fallback_case,
    "ppk-no-ppk-auth": ppk_no_ppk_auth_case,
    "ppk-mismatch": ppk_mismatch_case,
    "ppk-unknown": ppk_unknown_case,
    "ppk-no-peer-ppk": ppk_no_peer_ppk_case,
}


def main():
    lab.require_root_or_skip("the strongSwan negotiation interop cases")
    args = sys.argv[1:]
    if not args or not os.access(args[0], os.X_OK):
        print("usage: interop_negotiation.py PATH/TO/ike_udp_peer [--only NAME]")
        return 2
    tool = os.path.abspath(args[0])
    only = args[args.index("--only") + 1] if "--only" in args else ""
    runs = [(name, fn, we) for name, fn in CASES.items() for we in (True, False)
            if only in f"{name}-{'ours' if we else 'strongswan'}-init"]
    failed = 0
    with lab.Lab("ng") as the_lab:
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
    print(f"interop_negotiation: {len(runs) - failed} of {len(runs)} cases as expected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
