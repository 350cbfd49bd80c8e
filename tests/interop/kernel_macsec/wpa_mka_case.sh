# kernel_macsec.sh's MKA case (sourced): wpa_supplicant (driver macsec_linux, its own MKA) in the guest
# against our MKA participant, in the same guest boot as the static-key matrix.
#
#   NAME-bb br0 ── mka_wire_peer (our Participant on AF_PACKET, key server)      EAPOL 01-80-C2-00-00-03
#           tap0 ══ qemu ══ eth0 guest: wpa_supplicant -D macsec_linux → kernel MACsec macsec SAs
#
# Until linkcryptd's own --keying mka lands (branch wt/mka-daemon), the SAK that MKA agreed is
# handed to linkcryptd through a manual key file: the MKA exchange itself (liveness, election,
# SAK distribution and use, a rekey) is between wpa_supplicant and our mka/ library on the real
# wire, and the traffic (ping both ways) goes through linkcryptd's dataplane and the guest's
# kernel MACsec keyed by that exchange. After the rekey only MKA is checked (KN 2 installed by
# wpa_supplicant in the kernel): a static key file cannot follow it.
# Checks: both sides secured with one SAK, IPv4 pings both ways, a rekey (the guest's kernel
# moves its transmit SA to the new AN), and tshark 4.0 dissects every live MKPDU of both sides
# as EAPOL-MKA with no malformed frame and no expert warning, with our CKN and key numbers.

run_wpa_mka_case() {
  local label=wpa_supplicant/mka/gcm-aes-128
  [ -z "${KM_ONLY:-}" ] || [ "$label" = "$KM_ONLY" ] || return 0
  : "${MKA_WIRE_PEER:?set MKA_WIRE_PEER to the mka_wire_peer binary}"
  echo "=== $label: wpa_supplicant $(wpa_supplicant -v 2>/dev/null | awk 'NR==1{print $2}') in the guest, our MKA as key server"
  local ckn cak
  ckn=$(openssl rand -hex 16); cak=$(openssl rand -hex 16)
  (umask 077; echo "$cak" >"$WORK/cak"; mkdir -p "$WORK/saks")

  # The guest: no static macsec0 left from the matrix; wpa_supplicant makes its own.
  guest "ip link del macsec0 2>/dev/null; true"
  guest "printf 'ap_scan=0\neapol_version=3\nnetwork={\n key_mgmt=NONE\n eapol_flags=0\n macsec_policy=1\n mka_priority=128\n mka_ckn=$ckn\n mka_cak=$cak\n}\n' >/tmp/wpa.conf; chmod 600 /tmp/wpa.conf"
  start_capture mka "$NS_WIRE" tap0 "ether proto 0x888e"
  guest "wpa_supplicant -B -D macsec_linux -i eth0 -c /tmp/wpa.conf -f /tmp/wpa.log -dd"
  ip netns exec "$NS_WIRE" "$MKA_WIRE_PEER" br0 "$OUR_MAC" "$OUR_SCI" "$ckn" "$WORK/cak" 40 "$WORK/saks" 16 12 \
      >"$WORK/peer.out" 2>"$WORK/peer.err" &
  local peer_pid=$!
  PIDS+=("$peer_pid")

  local i
  for i in $(seq 1 150); do grep -q '^tx kn=1 ' "$WORK/peer.out" && break; sleep 0.1; done
  grep -q '^tx kn=1 ' "$WORK/peer.out" || { cat "$WORK/peer.out" "$WORK/peer.err"; guest "tail -n 40 /tmp/wpa.log" || true; fail "$label: MKA did not come up within 15 s"; }
  grep -q "^live .* sci=${GUEST_SCI}\$" "$WORK/peer.out" || { cat "$WORK/peer.out"; fail "$label: wpa_supplicant's SCI is not the live peer's"; }
  local an; an=$(sed -n 's/^tx kn=1 an=\([0-9]\).*/\1/p' "$WORK/peer.out")
  pass "$label: MKA secured with wpa_supplicant: $(grep -c '' "$WORK/peer.out") events, KN 1 on AN $an"

  # The guest's kernel: the macsec link wpa_supplicant made, with KN 1's SAK on AN $an both ways.
  local gif
  guest "ip -o link show type macsec | awk -F': ' '{print \$2}' | cut -d@ -f1" >"$WORK/gif"
  gif=$(head -n1 "$WORK/gif")
  [ -n "$gif" ] || fail "$label: wpa_supplicant made no macsec link in the guest"
  for i in 1 2 3 4 5 6 7 8 9 10; do
    guest "ip macsec show $gif" >"$WORK/gmacsec"
    grep -q "encoding_sa $an" "$WORK/gmacsec" && grep -q "RXSC: ${OUR_SCI}" "$WORK/gmacsec" && break
    sleep 0.5
  done
  grep -q "RXSC: ${OUR_SCI}" "$WORK/gmacsec" || { cat "$WORK/gmacsec"; fail "$label: the guest's kernel has no receive SC for our SCI"; }

  # linkcryptd keyed with the SAK both sides agreed (manual key file until --keying mka).
  local sak; sak=$(cat "$WORK/saks/kn1")
  SUITE=gcm-aes-128 write_keyfile "$WORK/mka.keys" "$OUR_SCI" "$sak" 0 0 "$GUEST_SCI" "$sak" 0 0
  sed -i "s/^an = 0/an = $an/" "$WORK/mka.keys"
  start_daemon a "$NS_BOX" pa wa --key-file "$WORK/mka.keys" --control-socket "$WORK/ctl-mka.sock"
  guest "ip addr flush dev $gif; ip addr add 10.78.0.2/24 dev $gif; ip link set $gif up"
  ip -n "$NS_LAN" neigh flush dev eth0
  local ok=0
  for i in 1 2 3; do
    ip netns exec "$NS_LAN" ping -c 3 -i 0.2 -W 5 10.78.0.2 >"$WORK/ping" 2>&1 && grep -q ' 3 received' "$WORK/ping" && { ok=1; break; }
    echo "note: $label: LAN -> guest: $(grep received "$WORK/ping" || true)"
  done
  [ $ok = 1 ] || { cat "$WORK/ping"; guest "ip -s macsec show $gif" || true; fail "$label: LAN -> guest ping with the MKA SAK"; }
  guest "ping -c 3 -i 0.2 -W 5 10.78.0.1 || true" >"$WORK/gping"
  grep -q ' 3 received' "$WORK/gping" || { cat "$WORK/gping"; fail "$label: guest -> LAN ping with the MKA SAK"; }
  pass "$label: IPv4 pings both ways through linkcryptd and the guest's kernel MACsec keyed by MKA"
  kill -TERM "$DPID_a"; wait "$DPID_a" 2>/dev/null || true

  # The rekey (12 s after KN 1 was in use): KN 2 on the next AN, and the guest's kernel transmits with it.
  for i in $(seq 1 200); do grep -q '^tx kn=2 ' "$WORK/peer.out" && break; sleep 0.1; done
  grep -q '^rekey sent' "$WORK/peer.out" && grep -q '^tx kn=2 ' "$WORK/peer.out" || { cat "$WORK/peer.out"; fail "$label: no rekey to KN 2"; }
  local an2; an2=$(sed -n 's/^tx kn=2 an=\([0-9]\).*/\1/p' "$WORK/peer.out")
  for i in $(seq 1 20); do
    guest "ip macsec show $gif" >"$WORK/gmacsec2"
    grep -q "encoding_sa $an2" "$WORK/gmacsec2" && break
    sleep 0.5
  done
  grep -q "encoding_sa $an2" "$WORK/gmacsec2" || { cat "$WORK/gmacsec2"; fail "$label: the guest's kernel does not transmit on AN $an2 after the rekey"; }
  pass "$label: rekey: KN 2 on AN $an2, wpa_supplicant moved the guest's transmit SA to it"

  sleep 2
  kill -TERM "$peer_pid" 2>/dev/null || true; wait "$peer_pid" 2>/dev/null || true
  stop_capture mka
  guest "killall wpa_supplicant; true"
  # tshark: every MKPDU of both sides is EAPOL-MKA, none malformed, no expert warning.
  local total ours theirs bad
  total=$(tshark -r "$WORK/mka.pcap" -Y mka 2>/dev/null | wc -l)
  ours=$(tshark -r "$WORK/mka.pcap" -Y "mka && eth.src == $OUR_MAC" 2>/dev/null | wc -l)
  theirs=$(tshark -r "$WORK/mka.pcap" -Y "mka && eth.src == $GUEST_MAC" 2>/dev/null | wc -l)
  bad=$(tshark -r "$WORK/mka.pcap" -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null | wc -l)
  [ "$total" -ge 6 ] && [ "$ours" -ge 3 ] && [ "$theirs" -ge 3 ] || fail "$label: too few MKPDUs captured (ours $ours, wpa_supplicant's $theirs)"
  [ "$bad" = 0 ] || { tshark -r "$WORK/mka.pcap" -V -Y '_ws.malformed || _ws.expert'; fail "$label: $bad MKPDUs malformed or with expert warnings"; }
  local ckns kns
  ckns=$(tshark -r "$WORK/mka.pcap" -Y mka -T fields -e mka.cak_name 2>/dev/null | tr -d ':' | sort -u)
  [ "$ckns" = "$ckn" ] || fail "$label: tshark shows CKNs '$ckns', expected $ckn only"
  kns=$(tshark -r "$WORK/mka.pcap" -Y "mka && eth.src == $OUR_MAC" -T fields -e mka.key_number 2>/dev/null | grep . | sort -u | tr '\n' ' ')
  case "$kns" in *00000001*00000002*|*"1 2"*) ;; *) fail "$label: tshark shows our distributed key numbers '$kns', expected 1 and 2" ;; esac
  pass "$label: tshark dissects all $total live MKPDUs (ours $ours, wpa_supplicant's $theirs) as EAPOL-MKA: none malformed, no expert warning"
  sed 's/^/  peer: /' "$WORK/peer.out" | tail -n 3
}
