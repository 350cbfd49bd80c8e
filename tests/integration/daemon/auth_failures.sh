#!/usr/bin/env bash
# Daemon integration (4): wrong PSK, wrong public key, mismatched cipher suites: no traffic passes and `linkcryptctl peer` on both sides shows the typed failure reason.
source "$(dirname "$0")/lib.sh"

topology_up

# run_case LABEL REASON: starts both daemons with the configs written, expects no traffic and
# last_failure.reason == REASON on both sides (one side found it, the other was told: by_peer).
run_case() {
  local label=$1 reason=$2
  start_daemon a
  start_daemon b
  has_failure() { [ "$(q a peer 'r["last_failure"]["reason"]')" = "$reason" ] && [ "$(q b peer 'r["last_failure"]["reason"]')" = "$reason" ]; }
  wait_for 30 "$label: both sides report $reason" has_failure
  for t in a b; do
    echo "  box $t: $(q "$t" peer 'r["last_failure"]')"
    [ "$(q "$t" peer 'r["last_failure"]["hint"]')" != null ] || fail "$label: box $t has no hint"
  done
  local by_a by_b; by_a=$(q a peer 'r["last_failure"]["by_peer"]'); by_b=$(q b peer 'r["last_failure"]["by_peer"]')
  [ "$by_a" != "$by_b" ] || echo "  note: by_peer is $by_a on both sides"
  pass "$label: both sides show $reason (after ${WAITED_MS} ms)"
  for t in a b; do
    is_secured "$t" && fail "$label: box $t claims to be secured"
    [ "$(q "$t" status 'r["tx_an"]')" = null ] || fail "$label: box $t has a transmit SA"
  done
  ping_fails || fail "$label: traffic passed without keys"
  local ok; ok=$(stat b InPktsOK)
  [ "$ok" = missing ] || [ "$ok" = 0 ] || fail "$label: box B validated $ok frames"
  pass "$label: no traffic passes (no transmit SA on either side, ping fails, box B InPktsOK $ok)"
  alive a && alive b || fail "$label: a daemon died"
  ctl a peer | sed 's/^/  A> /'
  # `status` opens with one line saying why, in the typed failure's own words (issue 12 §1).
  local head hint; head=$(ctl a status | head -n 1); hint=$(q a peer 'r["last_failure"]["hint"]')
  echo "  A> $head"
  case $head in "link NOT secured: $reason "*": $hint") ;; *) fail "$label: status headline '$head' does not give $reason and its hint" ;; esac
  pass "$label: linkcryptctl status says why in its first line"
  stop_daemon a
  stop_daemon b
}

make_psk psk1
make_psk psk2
write_config a auth=psk "psk-file=$WORK/psk1"
write_config b auth=psk "psk-file=$WORK/psk2"
run_case "wrong PSK" AuthenticationFailed

make_ed25519 a
make_ed25519 b
make_ed25519 mallory
write_config a auth=pubkey "private-key-file=$WORK/a.key" "peer-public-key-file=$WORK/b.pub"
write_config b auth=pubkey "private-key-file=$WORK/b.key" "peer-public-key-file=$WORK/mallory.pub"
run_case "wrong public key" AuthenticationFailed

write_config a auth=psk "psk-file=$WORK/psk1" suite=gcm-aes-xpn-256
write_config b auth=psk "psk-file=$WORK/psk1" suite=gcm-aes-128
run_case "mismatched cipher suites" NoProposalChosen
