# dpdk-telemetry.py against a test's daemon, and the comparison with linkcryptctl --json.
# Sourced after ../dataplane/lib.sh or ../daemon/lib.sh (which give NAME, WORK, PY, fail, pass).
TELEMETRY=$(command -v dpdk-telemetry.py) || fail "dpdk-telemetry.py not found (Debian package dpdk-dev: scripts/install-deps)"
TELEMETRY_COMPARE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/telemetry_compare.py

# telemetry TAG COMMAND...: dpdk-telemetry.py reads commands from stdin when it is not a terminal
# and prints one JSON reply per line (Debian python: `python3` on PATH may be another one).
telemetry() {
  local tag=$1; shift
  printf '%s\n' "$@" | "$PY" "$TELEMETRY" -f "$NAME-$tag"
}

# telemetry_matches_ctl TAG SOCKET: /linkcrypt/status, /linkcrypt/sa and /ethdev/stats of both
# ports against `linkcryptctl --json status`, `sa` and `stats` on SOCKET. Counters may move (the
# key exchange's liveness checks cross the wire port): the control socket is read just before
# and just after telemetry, and each telemetry counter must lie in between.
telemetry_matches_ctl() {
  local tag=$1 sock=$2 ids plain_id wire_id cmd
  telemetry "$tag" /linkcrypt/status >"$WORK/status.tel"
  ids=$("$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))["/linkcrypt/status"]; print(s["plain"]["port_id"], s["wire"]["port_id"])' "$WORK/status.tel") ||
    { cat "$WORK/status.tel"; fail "/linkcrypt/status has no port ids"; }
  read -r plain_id wire_id <<<"$ids"
  for cmd in status sa stats; do "$LINKCRYPTCTL" --socket "$sock" --json "$cmd" >"$WORK/$cmd.before.json"; done
  telemetry "$tag" /linkcrypt/status /linkcrypt/sa "/ethdev/stats,$plain_id" "/ethdev/stats,$wire_id" >"$WORK/telemetry.out"
  for cmd in sa stats; do "$LINKCRYPTCTL" --socket "$sock" --json "$cmd" >"$WORK/$cmd.after.json"; done
  sed 's/^/   /' "$WORK/telemetry.out" | cut -c1-300
  "$PY" "$TELEMETRY_COMPARE" "$WORK" || fail "telemetry and linkcryptctl disagree"
  pass "/linkcrypt/status, /linkcrypt/sa and /ethdev/stats,$plain_id/$wire_id match linkcryptctl --json"
}
