#!/usr/bin/env bash
# Integration: carrier framing (docs/framing.md) through two linkcryptd: clear-tags 1 with
# confidentiality offset 30, then clear-tags 2 (QinQ) with offset 50. On the wire tshark must see
# the VLAN tag(s) before the SecTAG; the independent decoder (tests/macsec_framing.py, python3
# cryptography) must decrypt every frame box A sent with its SAK into a frame host A sent, with
# the offset octets (the EtherType and the IPv4 header) in the clear. An untagged frame is
# dropped and counted (TxClearTagMissing), never sent.
source "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null && command -v dumpcap >/dev/null || fail "tshark and dumpcap are required (scripts/install-deps)"
TESTS_DIR=$(cd "$(dirname "$0")/../.." && pwd)

topology_up 1500 1540   # the wire carries SecTAG + ICV (32) and two tags (8)
make_keys

# The three captures of a case, started together and stopped together. dumpcap (tshark's capture
# engine, no dissectors) starts in a fraction of tshark's time; tshark dissects afterwards.
captures_start() {
  local spec tag ns ifc
  for spec in "plain $NS_BA pa" "wire $NS_BB wb" "recv $NS_HB eth0"; do
    read -r tag ns ifc <<<"$spec"
    ip netns exec "$ns" dumpcap -n -q -i "$ifc" -P -w "$WORK/$tag.pcap" >"$WORK/$tag.cap.out" 2>"$WORK/$tag.cap.err" &
    PIDS+=("$!"); eval "CPID_$tag=$!"
  done
  for tag in plain wire recv; do
    for _ in $(seq 1 200); do
      grep -q "Capturing on" "$WORK/$tag.cap.err" 2>/dev/null && continue 2
      kill -0 "$(eval echo "\$CPID_$tag")" 2>/dev/null || { cat "$WORK/$tag.cap.err"; fail "dumpcap ($tag) did not start"; }
      sleep 0.1
    done
    fail "dumpcap ($tag) never started capturing"
  done
  sleep 0.3
}
captures_stop() {
  sleep 0.5   # let frames in flight reach the captures
  kill -INT "$CPID_plain" "$CPID_wire" "$CPID_recv" 2>/dev/null || true
  wait "$CPID_plain" "$CPID_wire" "$CPID_recv" 2>/dev/null || true
}

run_case() {
  local tags=$1 offset=$2
  local opts=(--key-file "$WORK/a.keys" --clear-tags "$tags" --confidentiality-offset "$offset" --plain-vlan-tags "$tags")
  start_daemon a "$NS_BA" pa wa "${opts[@]}"
  opts[1]="$WORK/b.keys"
  start_daemon b "$NS_BB" pb wb "${opts[@]}"
  captures_start

  # 40 numbered tagged frames, then 3 untagged ones (this kernel has no VLAN devices: raw frames).
  ip netns exec "$NS_HA" "$PY" "$(dirname "$0")/framing_traffic.py" eth0 "$MAC_A" "$MAC_B" "$tags" 40 \
    || fail "could not send the test frames"

  captures_stop
  local missing; missing=$(counter a "secy" TxClearTagMissing)
  # 3 of ours, plus whatever host A sent untagged on its own (IPv6 router solicitations, MLD).
  [ "$missing" != missing ] && [ "$missing" -ge 3 ] || fail "TxClearTagMissing is '$missing', want >= 3 (the untagged frames)"
  pass "clear-tags $tags: untagged frames dropped and counted (TxClearTagMissing $missing)"

  # tshark: every MACsec frame from box A has exactly $tags VLAN tag(s), then the SecTAG.
  local want="eth:ethertype:vlan:ethertype:macsec"
  [ "$tags" = 2 ] && want="eth:ethertype:vlan:ethertype:vlan:ethertype:macsec"
  # One tshark pass: protocols, VLAN IDs and any malformed/error expert info of each frame.
  tshark -r "$WORK/wire.pcap" -Y "eth.src == $MAC_A" -T fields -E separator=/t -e frame.protocols -e vlan.id \
      -e _ws.malformed -e _ws.expert.severity >"$WORK/wire.fields" 2>"$WORK/tshark.err" \
    || fail "tshark could not read the capture"
  [ -s "$WORK/wire.fields" ] || fail "tshark found no frame from host A on the wire"
  local n_bad; n_bad=$(awk -F'\t' -v w="$want" 'index($1, w) != 1' "$WORK/wire.fields" | wc -l)
  [ "$n_bad" = 0 ] || { head -3 "$WORK/wire.fields"; fail "$n_bad frame(s) not dissected as $want"; }
  local ids="100"; [ "$tags" = 2 ] && ids="100,200"
  awk -F'\t' -v ids="$ids" '$2 != ids {bad=1} END{exit bad}' "$WORK/wire.fields" \
    || fail "VLAN IDs on the wire are not $ids: $(cut -f2 "$WORK/wire.fields" | sort -u | tr '\n' ' ')"
  # Severity 0x00800000 is "error" (epan/proto.h PI_ERROR); malformed frames have _ws.malformed.
  awk -F'\t' '$3 != "" || $4 ~ /8388608|0x00800000|Error/ {bad=1} END{exit bad}' "$WORK/wire.fields" \
    || fail "tshark reports malformed frames or errors: $(grep -m1 -P '\t\S+\t\S*$' "$WORK/wire.fields")"
  pass "tshark: $(wc -l <"$WORK/wire.fields") frames from box A as $want, VLAN $ids"

  # The independent decoder: every one of box A's frames decrypts to a frame host A sent.
  PYTHONPATH="$TESTS_DIR" "$PY" - "$WORK/plain.pcap" "$WORK/wire.pcap" "$WORK/recv.pcap" "$tags" "$offset" \
      "$SAK_A" "$SALT_A" "$MAC_A" <<'PY' || fail "independent decoder (clear-tags $tags, offset $offset)"
import sys
import macsec_framing as mf
import pcap_frames
plain_path, wire_path, recv_path, tags, offset, sak, salt, mac = sys.argv[1:]
tags, offset, mac = int(tags), int(offset), bytes.fromhex(mac.replace(':', ''))
plain = [f for f in pcap_frames.frames(plain_path) if f[6:12] == mac]
tagged = [f for f in plain if f[12:14] == b"\x81\x00"]
sent = set(tagged)
recv = set(f for f in pcap_frames.frames(recv_path) if f[6:12] == mac)
if len(tagged) != 40:
    sys.exit("box A's plain port saw %d tagged frames of host A, not 40" % len(tagged))
missing = [f for f in tagged if f not in recv]
if missing:
    sys.exit("%d tagged frames did not reach host B intact, e.g. %s" % (len(missing), missing[0].hex()))
if any(f[12:14] == b"\x08\x00" for f in recv):
    sys.exit("an untagged frame reached host B")
n = 0
for w in pcap_frames.frames(wire_path):
    if w[6:12] != mac:
        continue
    f = mf.Frame(w, tags)  # raises unless exactly `tags` VLAN tags precede the SecTAG
    p = mf.validate(w, bytes.fromhex(sak), tags, offset, ssci=1, salt=bytes.fromhex(salt))
    if p not in sent:
        sys.exit("frame %d decrypts to one host A did not send: %s" % (n, p.hex()))
    user_wire = w[f.user_start:f.user_end]
    user_plain = p[f.prefix:]
    clear = min(offset, len(user_plain))
    if user_wire[:clear] != user_plain[:clear]:
        sys.exit("frame %d: the first %d user octets are not in the clear" % (n, clear))
    if len(user_plain) > clear and user_wire[clear:] == user_plain[clear:]:
        sys.exit("frame %d: octets after the offset are not encrypted" % n)
    if user_plain[:2] == b"\x08\x00" and offset >= 22 and user_wire[14:22] != user_plain[14:22]:
        sys.exit("frame %d: IPv4 addresses not readable on the wire" % n)
    n += 1
if n != 40:
    sys.exit("%d frames from box A decoded, not 40" % n)
print("decoded %d frames of box A, every one a frame host A sent, first %d user octets clear" % (n, offset))
PY
  pass "clear-tags $tags, offset $offset: the independent decoder recovers host A's frames"

  kill -TERM "$DPID_a" "$DPID_b"; wait "$DPID_a" "$DPID_b" 2>/dev/null || true
}

run_case 1 30
run_case 2 50
