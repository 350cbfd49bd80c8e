# tests/bench/dataplane/pnres.sh: sourced by scripts/bench.d/dataplane: what the manual key's durable PN reservation costs (issue 11 §5).
# Needs from the caller: work, seconds, D, eal, builddir, best, run_daemon (which passes --state-dir
# and ${PN_BLOCK_ARGS[@]}).
# 1. One durable mark write (temp file, fsync, rename, fsync dir) on the disk of --state-dir.
# 2. Protect at 64 octets (the highest PN rate) with the default block of 2^20 PNs, with a small
#    block (1024: a write every 512 PNs, so the workers outrun the writer and drop as
#    TxPnUnreserved), and with 2^32 (no write during the run: the cost of the limit check alone).
pn_bench_dir=${PN_BENCH_DIR:-/var/tmp}
pnres_bench() {
  echo
  echo "PN reservation (manual keys): durable mark writes in $pn_bench_dir ($(df --output=source "$pn_bench_dir" | tail -1))"
  local d; d=$(mktemp -d "$pn_bench_dir/linkcrypt-pnbench.XXXXXX")
  "$builddir/tests/bench/dataplane/bench_pn_reservation" "$d/state" 200 || true
  rm -rf "$d"
  printf '%-24s %7s %7s %9s %9s\n' "protect 64 B, block" Mpps Gb/s avg-cyc best-cyc
  for block in 4294967296 1048576 1024; do
    PN_BLOCK_ARGS=(--pn-reserve-block "$block")
    read -r mpps gbps cyc bcyc _ < <(best run_daemon 1504 64 "net_null0,size=64" "net_null1,no-rx=1" WireTx ProtectCycles ProtectFrames)
    printf '%-24s %7s %7s %9s %9s\n' "$block" "$mpps" "$gbps" "$cyc" "$bcyc"
  done
  PN_BLOCK_ARGS=()
  echo "(Mpps counts frames sent; with block 1024 the frames the workers could not send for want of a"
  echo " durable PN are counted as TxPnUnreserved, not sent.)"
}
case $what in all|pnres) pnres_bench ;; esac
