#!/usr/bin/env bash
# Daemon integration, issue 12 §4: --keylog on an IKE-keyed pair rotating every second; the wire (pcapng) decrypts
# with linkcrypt-pcap --keylog into exactly the frames host A sent, in order, across every rotation.
source "$(dirname "$0")/lib.sh"
TESTS_ROOT=$(cd "$(dirname "$0")/../.." && pwd)  # tests/pcap_frames.py
: "${LINKCRYPT_PCAP:?set LINKCRYPT_PCAP to the linkcrypt-pcap binary}"

topology_up
make_psk psk
write_config a auth=psk "psk-file=$WORK/psk" rekey-interval-s=1 "keylog=$WORK/a.keylog"
write_config b auth=psk "psk-file=$WORK/psk" rekey-interval-s=1 "keylog=$WORK/b.keylog"

# Refused before anything starts (exit 2, one line): a keylog others may read, or a symlink.
(umask 022; echo "# old" >"$WORK/loose.keylog")
ln -s "$WORK/elsewhere" "$WORK/link.keylog"
for bad in loose.keylog link.keylog; do
  rc=0
  sed "s|^keylog = .*|keylog = $WORK/$bad|" "$WORK/b.conf" >"$WORK/bad.conf"
  ip netns exec "$NS_BB" "$LINKCRYPTD" --config "$WORK/bad.conf" \
      -- --no-huge -m 256 --no-pci -l 0,1 --file-prefix "$NAME-bad" >"$WORK/bad.out" 2>&1 || rc=$?
  [ "$rc" -eq 2 ] || { cat "$WORK/bad.out"; fail "--keylog $bad: exit $rc, want 2"; }
  grep -Eq "mode 0644|symbolic link" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "--keylog $bad: no reason given"; }
done
[ ! -e "$WORK/elsewhere" ] || fail "the keylog was created through a symlink"
pass "--keylog refuses a file with mode 0644 and a symlink (exit 2, reason named)"

start_daemon a
start_daemon b
wait_secured a
wait_secured b
[ "$(command stat -c %a "$WORK/a.keylog")" = 600 ] || fail "keylog mode $(command stat -c %a "$WORK/a.keylog"), want 600"
grep -q "keylog ON" "$WORK/a.err" || fail "no start-up warning about the keylog"
[ "$(q a status 'r["keylog"]')" = true ] || fail "status keylog field"
ctl a status | grep -q "^keylog ON" || fail "linkcryptctl status does not say keylog ON"
pass "keylog created 0600, start-up warning logged, status says keylog ON"

ping_ok 3 || { cat "$WORK/ping.out"; fail "ping before the stream"; }   # ARP resolved before capturing
# What host A sends (arriving on box A's plain port) and A's MACsec frames arriving at box B, the
# wire as pcapng (tshark's default format, read by linkcrypt-pcap as it is).
CAPTURE_FORMAT=pcap start_capture plain "$NS_BA" pa "ether src $MAC_A"
CAPTURE_FORMAT=pcapng start_capture wire "$NS_BB" wb "ether src $MAC_A and ether proto 0x88e5"
stream_start=$(date +%s)
ip netns exec "$NS_HB" "$PY" "$TOOLS/seq_udp.py" recv --bind "$HOST_B" --ready "$WORK/recv.ready" \
    --report "$WORK/seq.json" --idle-s 15 --deadline-s 60 >"$WORK/seq.out" 2>&1 &
recv_pid=$!
PIDS+=("$recv_pid")
wait_for 10 "receiver ready" test -s "$WORK/recv.ready"
ip netns exec "$NS_HA" "$PY" "$TOOLS/seq_udp.py" send --to "$HOST_B" --count 3000 --rate 400 >"$WORK/send.out"
wait "$recv_pid" || { cat "$WORK/seq.out"; fail "the stream lost datagrams"; }
stop_capture wire
stop_capture plain
pass "stream delivered: $(cat "$WORK/seq.out")"

rotations=$(ctl a --json rotations | "$PY" -c 'import json,sys; print(sum(1 for x in json.load(sys.stdin)["result"]["rotations"] if x["when"] >= int(sys.argv[1])))' "$stream_start")
[ "$rotations" -ge 3 ] || fail "only $rotations rotations during the capture (want >= 3)"
lines=$(grep -c '^MACSEC_SA ' "$WORK/a.keylog")
grep '^MACSEC_SA ' "$WORK/a.keylog" | grep -Eq '^MACSEC_SA sci=[0-9a-f]{16} an=[0-3] key_id=[0-9a-f]{16} suite=gcm-aes-xpn-256 sak=[0-9a-f]{64} ssci=[0-9a-f]{8} salt=[0-9a-f]{24} installed=[0-9T:.-]+Z dir=(tx|rx)$' \
    || { head -n 5 "$WORK/a.keylog"; fail "keylog lines are not in the documented format"; }
pass "$rotations rotations during the capture; box A's keylog has $lines SA lines (tx and rx) in the documented format"
! grep -q "sak=" "$WORK/a.err" || fail "key material in the daemon's log"

# Every captured MACsec frame must validate (exit 0), each with the SA of its time.
"$LINKCRYPT_PCAP" validate --keylog "$WORK/a.keylog" --quiet "$WORK/wire.pcap" "$WORK/recovered.pcap" \
    >"$WORK/validate.out" 2>&1 || { tail -n 40 "$WORK/validate.out"; fail "linkcrypt-pcap validate --keylog refused a wire frame"; }
grep '^validate:' "$WORK/validate.out"
used=$(awk '/^keylog SAs/{t=1; next} t && $1 ~ /^[0-9]+$/ && $7 > 0' "$WORK/validate.out" | wc -l)
[ "$used" -ge 4 ] || { cat "$WORK/validate.out"; fail "frames of only $used SAs in the capture (want >= 4: 3 rotations)"; }
pass "every wire frame of the pcapng capture validated (exit 0), with $used different SAs"

# The recovered frames: a contiguous run of what host A sent, byte for byte, in order, holding the
# whole numbered stream.
PYTHONPATH="$TESTS_ROOT" "$PY" - "$WORK/plain.pcap" "$WORK/recovered.pcap" <<'PYEOF' || fail "recovered frames differ from the sent ones"
import struct, sys
from pcap_frames import frames, contiguous_run
sent, recovered = frames(sys.argv[1]), frames(sys.argv[2])
contiguous_run(sent, recovered)
seqs = [struct.unpack_from('>Q', f, 42 + 8)[0] for f in recovered
        if f[12:14] == b'\x08\x00' and f[23] == 17 and f[42:46] == b'LCSQ']
data = [s for s in seqs if s != (1 << 64) - 1]
print(f"numbered datagrams recovered: {len(data)}, first {data[:1]}, last {data[-1:]}")
if data != list(range(3000)): sys.exit("the numbered stream is not complete and in order")
PYEOF
pass "recovered frames are byte-identical to the frames host A sent, in order, all 3000 numbered datagrams"

# Both boxes' keylogs together (A's tx lines are B's rx lines of the same keys: kept once), and
# B's alone (its rx lines), validate the same capture.
(umask 077; cat "$WORK/a.keylog" "$WORK/b.keylog" >"$WORK/both.keylog")
for k in both b; do
  "$LINKCRYPT_PCAP" validate --keylog "$WORK/$k.keylog" --quiet "$WORK/wire.pcap" >"$WORK/$k.out" 2>&1 \
      || { tail -n 20 "$WORK/$k.out"; fail "validate with the keylog $k"; }
  [ "$(grep '^validate:' "$WORK/$k.out")" = "$(grep '^validate:' "$WORK/validate.out")" ] || fail "keylog $k: another result"
done
pass "box B's keylog, and both keylogs concatenated, validate the same frames"
alive a && alive b || fail "a daemon died"
