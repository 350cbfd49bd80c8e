#!/usr/bin/env bash
# Daemon integration (1): two linkcryptd key themselves in-band with a PSK, then with Ed25519 raw public keys; traffic passes and the wire carries only MACsec (0x88E5) and key-exchange (0x88B5) frames.
source "$(dirname "$0")/lib.sh"

topology_up

# run_case LABEL: starts both daemons with the configs already written, checks keying, traffic and
# the wire, stops them.
run_case() {
  local label=$1
  start_capture wire "$NS_BA" wa
  start_daemon a
  start_daemon b
  wait_secured a
  wait_secured b
  [ "$(q a peer 'r["ike_state"]')" = "$(q b peer 'r["ike_state"]')" ] || fail "$label: IKE states differ"
  pass "$label: peer on A: $(q a peer 'r["peer_id"]') $(q a peer 'r["algorithms"]')"
  [ "$(q a peer 'r["peer_id"]')" = "$ID_B" ] || fail "$label: A sees peer id $(q a peer 'r["peer_id"]')"
  [ "$(q b peer 'r["peer_id"]')" = "$ID_A" ] || fail "$label: B sees peer id $(q b peer 'r["peer_id"]')"
  ping_ok 5 || { cat "$WORK/ping.out"; fail "$label: ping"; }
  pass "$label: ping through both appliances"
  local bytes; bytes=$(iperf_tcp 2)
  [ "$bytes" -gt 0 ] || fail "$label: iperf3 TCP received nothing"
  pass "$label: iperf3 TCP $bytes octets"
  # Both sides: an active TX SA and an RX SA that validated frames, nothing invalid.
  for t in a b; do
    local ok; ok=$(q "$t" sa 'sum(s["packets"] for s in r["sas"] if s["direction"] == "rx")')
    [ "${ok:-0}" -gt 0 ] || fail "$label: box $t RX SAs validated nothing ($ok)"
    local err; err=$(q "$t" sa 'sum(s["errors"] for s in r["sas"])')
    [ "$err" = 0 ] || fail "$label: box $t SA errors $err"
  done
  pass "$label: both boxes validated frames on their RX SAs, 0 errors"
  stop_capture wire
  only_macsec_and_kx "$WORK/wire.pcap"
  stop_daemon a
  stop_daemon b
}

make_psk psk
write_config a auth=psk "psk-file=$WORK/psk"
write_config b auth=psk "psk-file=$WORK/psk"
run_case PSK

make_ed25519 a
make_ed25519 b
write_config a auth=pubkey "private-key-file=$WORK/a.key" "peer-public-key-file=$WORK/b.pub"
write_config b auth=pubkey "private-key-file=$WORK/b.key" "peer-public-key-file=$WORK/a.pub"
run_case "Ed25519 raw public keys"
