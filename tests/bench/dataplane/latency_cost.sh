# Sourced by scripts/bench.d/dataplane (latency-cost): what the worker's latency histograms cost.
# Protect at 64 octets (net_null → linkcryptd → net_null: the worker is the bottleneck), with the
# histograms on and off (LINKCRYPT_BENCH_NO_LATENCY=1) alternately in one run, 3 rounds. The
# histogram add sits after the stage's TSC read, so the figure is the whole loop's: frames per
# second of worker CPU time, as TSC cycles per frame (tsc-hz / frames-per-CPU-second).
measure_raw 64
echo
printf '%-6s %-4s %7s %12s %10s\n' round hist Mpps cyc/frame best-cyc
for round in 1 2 3; do
  for hist in on off; do
    if [ "$hist" = off ]; then
      read -r mpps _ _ bcyc per_cpu < <(LINKCRYPT_BENCH_NO_LATENCY=1 run_daemon 1504 64 "net_null0,size=64" "net_null1,no-rx=1" WireTx ProtectCycles ProtectFrames)
    else
      read -r mpps _ _ bcyc per_cpu < <(run_daemon 1504 64 "net_null0,size=64" "net_null1,no-rx=1" WireTx ProtectCycles ProtectFrames)
    fi
    printf '%-6s %-4s %7s %12s %10s\n' "$round" "$hist" "$mpps" \
      "$(awk -v h="$tsc_hz" -v r="$per_cpu" 'BEGIN {printf "%.1f", h / (r * 1e6)}')" "$bcyc"
  done
done
echo "cyc/frame: TSC cycles per frame of the worker's whole loop (RX, protect, TX, counters, histogram),"
echo "from frames per second of the worker thread's CPU time; best-cyc: the protect stage's cheapest burst."
