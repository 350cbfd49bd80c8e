# tests/bench/dataplane/secgw.sh: sourced by scripts/bench.d/dataplane: DPDK's ipsec-secgw beside linkcryptd in one pcap→null harness.
# Needs from the caller: work, seconds, PY, rundir, make_pcaps, run_daemon, FWD, eal, measure_raw
# (fills raw_enc, raw_dec and tsc_hz).
# Both sides get the same frames (net_pcap infinite_rx replay of 1024 frames), the same sink
# (net_null, no copy) and one packet lcore; rates are timed the same way (two counter reads,
# CLOCK_MONOTONIC). ipsec-secgw runs an AES-128-GCM ESP tunnel SA (RFC 4106) on the ipsec-mb
# crypto PMD (crypto_aesni_gcm), default path with SP lookup (-l, librte_ipsec, was no faster within the noise).
secgw_src=/usr/share/dpdk/examples/ipsec-secgw
secgw_fail() {
  echo >&2
  echo "*** ipsec-secgw comparison NOT MEASURED: $* ***" >&2
  exit 1
}

# Built at run time in $work from the Debian dpdk-doc sources, never copied into the repo.
build_secgw() {
  [ -f "$secgw_src/ipsec-secgw.c" ] || secgw_fail "$secgw_src not found (dpdk-doc: scripts/install-deps)"
  command -v make >/dev/null || secgw_fail "make not installed (scripts/install-deps)"
  cp -r "$secgw_src" "$work/ipsec-secgw"
  # Its port configuration requires RX checksum offloads (port_conf in ipsec-secgw.c) that the
  # virtual PMDs lack, so it exits at start-up ("required RX offloads: 0xe"): ask for none. The
  # bench frames carry correct IPv4 checksums anyway.
  grep -q '\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,' "$work/ipsec-secgw/ipsec-secgw.c" ||
    secgw_fail "the RX offload line to patch is not in $secgw_src/ipsec-secgw.c (other DPDK version?)"
  sed -i 's/\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/.offloads = 0,/' "$work/ipsec-secgw/ipsec-secgw.c"
  make -C "$work/ipsec-secgw" -j2 >"$work/secgw-make.log" 2>&1 ||
    { tail -20 "$work/secgw-make.log" >&2; secgw_fail "make in a copy of $secgw_src failed"; }
  SECGW=$work/ipsec-secgw/build/ipsec-secgw
}

# Port 0 is the protected (plain) side, port 1 the unprotected (-u 0x2) one. The gateway needs an
# inbound SA even when only the outbound direction runs. Inner frames go 192.168.1.1 → 192.168.2.1.
write_secgw_configs() {
  local key; key=$(openssl rand -hex 20 | sed 's/../&:/g; s/:$//')  # 16-octet key + 4-octet salt
  (umask 077
   cat >"$work/secgw-out.cfg" <<CFG
sp ipv4 out esp protect 5 pri 1 dst 192.168.2.0/24 sport 0:65535 dport 0:65535
sa out 5 aead_algo aes-128-gcm aead_key $key mode ipv4-tunnel src 172.16.1.5 dst 172.16.2.5
rt ipv4 dst 172.16.2.5/32 port 1
neigh port 1 02:00:00:00:0c:01
sp ipv4 in esp protect 6 pri 1 dst 192.168.1.0/24 sport 0:65535 dport 0:65535
sa in 6 aead_algo aes-128-gcm aead_key $key mode ipv4-tunnel src 172.16.2.5 dst 172.16.1.5
rt ipv4 dst 192.168.1.0/24 port 0
CFG
   cat >"$work/secgw-in.cfg" <<CFG
sp ipv4 in esp protect 5 pri 1 dst 192.168.2.0/24 sport 0:65535 dport 0:65535
sa in 5 aead_algo aes-128-gcm aead_key $key mode ipv4-tunnel src 172.16.1.5 dst 172.16.2.5
rt ipv4 dst 192.168.2.0/24 port 0
neigh port 0 02:00:00:00:0b:01
CFG
  )
}

# run_secgw CFG PORT0 PORT1 [TX_PORT RX_PORT] -> "tx_mpps rx_mpps tx_mpps_per_cpu_second" (with
# ports; -l 1: the main thread is the one packet lcore, the one whose CPU time counts) or nothing (a
# 1.5 s pass, for the pcap-to-pcap checks). --mtu 1600: 1518-octet frames are neither dropped on
# input nor fragmented after ESP. linkcryptd: --plain-mtu 1500 (net_pcap keeps MTU 1500; the
# daemon still protects 1518-octet frames: OutPktsTooLong stays 0).
run_secgw() {
  local cfg=$1 p0=$2 p1=$3 out pid rates=""
  out=$(mktemp "$work/s.out.XXXXXX")
  "$SECGW" --no-huge -m 1024 --no-pci -l 1 --file-prefix "lcs$$" --vdev "$p0" --vdev "$p1" \
      --vdev crypto_aesni_gcm0 -- -p 0x3 -u 0x2 -f "$cfg" --config "(0,0,1),(1,0,1)" --mtu 1600 ${SECGW_OPTS:-} \
      >"$out" 2>&1 &
  pid=$!; echo "$pid" >>"$work/pids"
  for _ in $(seq 1 150); do
    grep -q "entering main loop" "$out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q "entering main loop" "$out"; then
    kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    tail -20 "$out" >&2; echo "ipsec-secgw did not start" >&2; return 1
  fi
  if [ $# -ge 5 ]; then
    sleep 1
    rates=$("$PY" tests/bench/dataplane/telemetry_rate.py "$rundir/lcs$$/dpdk_telemetry.v2" "$4" "$5" "$seconds" \
      "/proc/$pid/task/$pid") ||
      { kill -INT "$pid"; wait "$pid" 2>/dev/null || true; return 1; }
  else
    sleep 1.5
  fi
  kill -INT "$pid"; wait "$pid" 2>/dev/null || true
  [ -z "$rates" ] || echo "$rates"
}

max() { awk -v a="$1" -v b="$2" 'BEGIN {print (a >= b ? a : b)}'; }
forward_mpps() {  # PCAP: the harness alone, that source forwarded to net_null (best of 2: a ceiling)
  local top=0 r
  for _ in 1 2; do
    r=$("$FWD" "$seconds" "net_pcap0,rx_pcap=$1,infinite_rx=1" "net_null1,no-rx=1" -- "${eal[@]}" --file-prefix "lcf$$" 2>/dev/null | awk '{print $2}')
    top=$(max "$top" "${r:-0}")
  done
  echo "$top"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }

echo
echo "ipsec-secgw (DPDK $(pkg-config --modversion libdpdk) example, ESP tunnel AES-128-GCM, crypto_aesni_gcm) beside"
echo "linkcryptd (MACsec GCM-AES-128): net_pcap infinite_rx (1024 frames) → 1 lcore → net_null, ${seconds}s per point,"
echo "best of 2 each, runs alternated. load $(cut -d' ' -f1-3 /proc/loadavg)"
build_secgw
write_secgw_configs
printf '\n%-10s %-5s %8s %8s %7s   %8s %8s %7s   %s\n' "" "" "Mpps" "" "" "Mpps per lcore CPU-second" "" "" ""
printf '%-10s %-5s %8s %8s %7s   %8s %8s %7s   %s  %s\n' direction size ours secgw ratio ours secgw ratio harness-fwd-Mpps bound
for dir in protect unprotect; do
  for size in 64 512 1518 IMIX; do
    mean=$size; [ "$size" = IMIX ] && mean=354.3
    if [ "$size" = IMIX ]; then name=imix; make_pcaps imix 64 64 64 64 64 64 64 576 576 576 576 1500
    else name=s$size; make_pcaps "s$size" "$size"; fi
    if [ "$dir" = protect ]; then
      # Proof that the gateway really encrypts these frames (else its rate means nothing).
      run_secgw "$work/secgw-out.cfg" "net_pcap0,rx_pcap=$work/$name.plain.pcap" "net_pcap1,tx_pcap=$work/$name.esp.pcap" ||
        secgw_fail "protect check run at $size failed"
      "$PY" tests/bench/dataplane/check_secgw.py protect "$work/$name.plain.pcap" "$work/$name.esp.pcap" 5 >/dev/null ||
        secgw_fail "ipsec-secgw output at $size is not the expected ESP"
      ours_args=(1500 "$mean" "net_pcap0,rx_pcap=$work/$name.plain.pcap,infinite_rx=1" "net_null1,no-rx=1" WireTx ProtectCycles ProtectFrames)
      sg_args=("$work/secgw-out.cfg" "net_pcap0,rx_pcap=$work/$name.plain.pcap,infinite_rx=1" "net_null1,no-rx=1" 1 0)
      fwd_src=$work/$name.plain.pcap
    else
      # The gateway's own ESP frames from the protect check are its inbound input (no replay window:
      # -w 0, so the replayed sequence numbers pass, as linkcryptd's --replay-window 4294967295).
      run_secgw "$work/secgw-in.cfg" "net_pcap0,tx_pcap=$work/$name.dec.pcap" "net_pcap1,rx_pcap=$work/$name.esp.pcap" ||
        secgw_fail "unprotect check run at $size failed"
      "$PY" tests/bench/dataplane/check_secgw.py unprotect "$work/$name.plain.pcap" "$work/$name.dec.pcap" >/dev/null ||
        secgw_fail "ipsec-secgw did not decrypt its own ESP frames at $size"
      ours_args=(1468 "$mean" "net_null0,no-rx=1" "net_pcap0,rx_pcap=$work/$name.wire.pcap,infinite_rx=1" PlainTx ValidateCycles ValidateFrames)
      sg_args=("$work/secgw-in.cfg" "net_null0,no-rx=1" "net_pcap1,rx_pcap=$work/$name.esp.pcap,infinite_rx=1" 0 1)
      fwd_src=$work/$name.esp.pcap
    fi
    ours=0; sg=0; ours_cpu=0; sg_cpu=0
    for _ in 1 2; do
      o=$(run_daemon "${ours_args[@]}") || secgw_fail "linkcryptd $dir run at $size failed"
      s=$(run_secgw "${sg_args[@]}") || secgw_fail "ipsec-secgw $dir run at $size failed"
      read -r o_mpps _ _ _ o_cpu <<<"$o"; read -r s_mpps _ s_cpu <<<"$s"
      ours=$(max "$ours" "$o_mpps"); sg=$(max "$sg" "$s_mpps")
      ours_cpu=$(max "$ours_cpu" "$o_cpu"); sg_cpu=$(max "$sg_cpu" "$s_cpu")
    done
    awk -v s="$sg" 'BEGIN {exit !(s > 0)}' || secgw_fail "ipsec-secgw forwarded nothing ($dir, $size)"
    fwd=$(forward_mpps "$fwd_src")
    # bound: the ratio an implementation would reach whose whole processing were one raw GCM call
    # on our frame, in this harness (our source forwarded to net_null with no processing).
    if [ "$size" = IMIX ]; then measure_raw 64 576 1500; else measure_raw "$size"; fi
    if [ "$dir" = protect ]; then our_fwd=$fwd; raw_of() { echo "${raw_enc[$1]}"; }
    else our_fwd=$(forward_mpps "$work/$name.wire.pcap"); raw_of() { echo "${raw_dec[$1]}"; }; fi
    if [ "$size" = IMIX ]; then
      raw_cyc=$(awk -v a="$(raw_of 64)" -v b="$(raw_of 576)" -v c="$(raw_of 1500)" 'BEGIN {print (7*a + 4*b + c) / 12}')
    else raw_cyc=$(raw_of "$size"); fi
    # "-" when an input is missing (a forward or raw run failed): no number rather than a wrong one.
    bound=$(awk -v sg="$sg_cpu" -v f="$our_fwd" -v r="${raw_cyc:-0}" -v hz="${tsc_hz:-0}" \
      'BEGIN {if (sg <= 0 || f <= 0 || r <= 0 || hz <= 0) print "-"; else printf "%.2fx", (1e3 / sg) / (1e3 / f + r / hz * 1e9)}')
    printf '%-10s %-5s %8s %8s %7s   %8s %8s %7s   %-16s  %s\n' "$dir" "$size" "$ours" "$sg" "$(ratio "$ours" "$sg")" \
      "$ours_cpu" "$sg_cpu" "$(ratio "$ours_cpu" "$sg_cpu")" "$fwd" "$bound"
  done
done
echo
echo "ours = linkcryptd, secgw = ipsec-secgw; ratio = ours / secgw (goal >= 1.5x). Mpps per lcore CPU-second:"
echo "frames sent / time the packet lcore's thread actually ran (/proc schedstat): the same rate with the"
echo "shared machine's preemption taken out. harness-fwd-Mpps: that direction's net_pcap source forwarded to"
echo "net_null with no processing (the harness ceiling; near it, ratios compress). bound: the ratio"
echo "reachable if our whole processing cost one raw GCM call (bench_dataplane_gcm_raw) on top of the"
echo "harness forwarding our own source: secgw ns/frame (per CPU-second) / (harness ns + GCM ns)."
echo "ipsec-secgw's output is checked first (ESP, SPI 5, sequence 1..1024; decrypts back to the input)."
