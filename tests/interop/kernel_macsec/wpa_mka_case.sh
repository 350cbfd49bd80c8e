# kernel_macsec.sh's MKA case (sourced): linkcryptd --keying mka against wpa_supplicant (driver
# macsec_linux, its own MKA, kernel MACsec) in the guest, in the same guest boot as the static-key matrix.
#
#   NAME-ha ──[pa] NAME-ba linkcryptd --keying mka [wa]══[wv] br0 [tap0]══ qemu ══[eth0] guest: wpa_supplicant → macsecN
#
# MKPDUs go to 01-80-C2-00-00-03, which br0 forwards between wv and tap0 (group_fwd_mask bit 3).
# Checks: MKA secures with linkcryptd as key server (KN 1), IPv4 and IPv6 pings both ways through
# linkcryptd and the guest's kernel MACsec keyed by it, an operator rekey (KN 2 on the next AN:
# the guest's kernel moves its transmit SA, pings both ways again), and tshark 4.0 dissects every
# live MKPDU of both sides as EAPOL-MKA with no malformed frame and no expert warning, showing our
# CKN and key numbers 1 and 2.
# wpa_supplicant 2.10 (Debian 12) has no XPN cipher suites: GCM-AES-128 only here (docs/mka-interop.md).

# run_wpa_mka_case SUITE KEY_SERVER(ours|wpa) MODE(full|short|mismatch)
#   ours: linkcryptd (priority 16) against wpa_supplicant's 128; wpa: wpa_supplicant (priority 1) against our 200.
#   full: IPv4+IPv6 pings, an operator rekey (ours only) and pings again; short: IPv4 pings once;
#   mismatch: wpa_supplicant (2.10 distributes GCM-AES-128 only) against our SUITE: linkcryptd
#   reports the typed CipherMismatch and never transmits.
run_wpa_mka_case() {
  local suite=$1 ks=$2 full=$3
  local label="wpa_supplicant/mka/$suite/ks-$ks"
  [ -z "${KM_ONLY:-}" ] || [[ "$label" == $KM_ONLY ]] || return 0
  : "${LINKCRYPTCTL:?set LINKCRYPTCTL to the linkcryptctl binary}"
  local our_prio=16 wpa_prio=128
  [ "$ks" = wpa ] && { our_prio=200; wpa_prio=1; }
  local case_start=$SECONDS
  echo "=== $label: wpa_supplicant $(wpa_supplicant -v 2>/dev/null | awk 'NR==1{print $2}') in the guest (priority $wpa_prio), linkcryptd --keying mka (priority $our_prio)"
  local ckn cak i
  local cak_len=16; [ "$suite" = gcm-aes-256 ] && cak_len=32
  ckn=$(openssl rand -hex 16); cak=$(openssl rand -hex $cak_len)
  (umask 077; echo "$cak" >"$WORK/cak")
  # 802.1X PAE group address 01-80-C2-00-00-03: a bridge keeps it to itself unless told to forward it.
  ip netns exec "$NS_WIRE" sh -c 'echo 8 > /sys/class/net/br0/bridge/group_fwd_mask' ||
    fail "$label: br0 will not forward EAPOL (group_fwd_mask)"
  local wa_mac our_sci
  wa_mac=$(ip -n "$NS_BOX" -j link show wa | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
  our_sci="${wa_mac//:/}0001"   # linkcryptd's SCI under MKA: the wire port's MAC ‖ port 1

  # The guest: no macsec link left from the matrix or an earlier case; wpa_supplicant makes its own.
  guest "for l in \$(ip -o link show type macsec | cut -d: -f2 | cut -d@ -f1); do ip link del \$l; done; true"
  guest "printf 'ap_scan=0\neapol_version=3\nnetwork={\n key_mgmt=NONE\n eapol_flags=0\n macsec_policy=1\n mka_priority=$wpa_prio\n mka_ckn=$ckn\n mka_cak=$cak\n}\n' >/tmp/wpa.conf; chmod 600 /tmp/wpa.conf"
  start_capture mka "$NS_WIRE" tap0 "ether proto 0x888e"
  guest "wpa_supplicant -B -D macsec_linux -i eth0 -c /tmp/wpa.conf -f /tmp/wpa.log -d"
  start_daemon a "$NS_BOX" pa wa --keying mka --mka-ckn "$ckn" --mka-cak-file "$WORK/cak" \
      --mka-key-server-priority "$our_prio" --mka-cipher-suite "$suite" --control-socket "$WORK/ctl-mka.sock"

  if [ "$full" = mismatch ]; then
    for i in $(seq 1 100); do grep -q 'MKA: CipherMismatch' "$WORK/a.err" && break; sleep 0.1; done
    grep -q 'MKA: CipherMismatch: key server distributes GCM-AES-128, we are configured for GCM-AES-256' "$WORK/a.err" ||
      { grep MKA "$WORK/a.err" | tail; fail "$label: no CipherMismatch within 10 s"; }
    grep -q 'MKA: transmitting with SAK' "$WORK/a.err" && fail "$label: linkcryptd transmits despite the cipher mismatch"
    pass "$label: $(grep -m1 -o 'CipherMismatch: [^(]*' "$WORK/a.err"), no SAK in use ($((SECONDS - case_start)) s)"
    kill -TERM "$DPID_a"; wait "$DPID_a" 2>/dev/null || true
    stop_capture mka
    guest "killall wpa_supplicant; sleep 0.5; true"
    return 0
  fi
  for i in $(seq 1 150); do grep -q 'MKA: transmitting with SAK [0-9a-f]*/1 ' "$WORK/a.err" && break; sleep 0.1; done
  grep -q 'MKA: transmitting with SAK [0-9a-f]*/1 ' "$WORK/a.err" ||
    { grep MKA "$WORK/a.err" | tail -n 20; guest "tail -n 40 /tmp/wpa.log" || true; fail "$label: MKA did not secure within 15 s"; }
  local an; an=$(grep -m1 -o 'transmitting with SAK [0-9a-f]*/1 on AN [0-3]' "$WORK/a.err" | awk '{print $NF}')
  local who="linkcryptd"; [ "$ks" = wpa ] && who="wpa_supplicant"
  if [ "$ks" = wpa ]; then   # the key server's MI in the KI is the peer's, not ours
    local our_mi; our_mi=$(grep -m1 -o 'MKA: member [0-9a-f]*' "$WORK/a.err" | awk '{print $3}')
    grep -q "transmitting with SAK $our_mi/" "$WORK/a.err" && fail "$label: linkcryptd distributed the SAK, wpa_supplicant should have"
  fi
  pass "$label: MKA secured with wpa_supplicant ($who key server): linkcryptd transmits with KN 1 on AN $an ($((SECONDS - case_start)) s)"

  # The guest's kernel: the macsec link wpa_supplicant made, receiving our SC, transmitting on AN $an.
  guest "ip -o link show type macsec | cut -d: -f2 | cut -d@ -f1 | tr -d ' '" >"$WORK/gif"
  local gif; gif=$(head -n1 "$WORK/gif")
  [ -n "$gif" ] || fail "$label: wpa_supplicant made no macsec link in the guest"
  for i in $(seq 1 20); do
    guest "ip macsec show $gif" >"$WORK/gmacsec"
    grep -q "TXSC: [0-9a-f]* on SA $an" "$WORK/gmacsec" && grep -qi "RXSC: ${our_sci}" "$WORK/gmacsec" && break
    sleep 0.5
  done
  grep -q "TXSC: [0-9a-f]* on SA $an" "$WORK/gmacsec" && grep -qi "RXSC: ${our_sci}" "$WORK/gmacsec" ||
    { cat "$WORK/gmacsec"; fail "$label: the guest's kernel does not receive our SC $our_sci or send on AN $an"; }
  guest "ip addr flush dev $gif; ip addr add 10.78.0.2/24 dev $gif; ip addr add fd78::2/64 dev $gif nodad; ip link set $gif up"
  ip -n "$NS_LAN" neigh flush dev eth0

  local lan_dsts="10.78.0.2 fd78::2" guest_dsts="10.78.0.1 fd78::1" fams="IPv4 and IPv6"
  [ "$full" = short ] && { lan_dsts=10.78.0.2; guest_dsts=10.78.0.1; fams=IPv4; }
  mka_pings() {  # mka_pings WHEN: IPv4 and IPv6 (full) both ways, each run of 3 up to 3 times
    local when=$1 dst ok n
    for dst in $lan_dsts; do
      ok=0
      for n in 1 2 3; do
        ip netns exec "$NS_LAN" ping -c 3 -i 0.2 -W 5 "$dst" >"$WORK/ping" 2>&1 && grep -q ' 3 received' "$WORK/ping" && { ok=1; break; }
        echo "note: $label: LAN -> guest $dst $when: $(grep received "$WORK/ping" || true)"
      done
      [ $ok = 1 ] || { cat "$WORK/ping"; guest "ip -s macsec show $gif" || true; fail "$label: LAN -> guest ping $dst $when"; }
    done
    for dst in $guest_dsts; do
      ok=0
      for n in 1 2 3; do
        guest "ping -c 3 -i 0.2 -W 5 $dst || true" >"$WORK/gping"
        grep -q ' 3 received' "$WORK/gping" && { ok=1; break; }
        echo "note: $label: guest -> LAN $dst $when: $(grep received "$WORK/gping" || true)"
      done
      [ $ok = 1 ] || { cat "$WORK/gping"; fail "$label: guest -> LAN ping $dst $when"; }
    done
    pass "$label: $fams pings both ways $when ($((SECONDS - case_start)) s)"
  }
  mka_pings "with KN 1"

  local kn_ours="1"
  if [ "$full" = full ] && [ "$ks" = ours ]; then
  kn_ours="1 2"
  # An operator rekey: KN 2 on the next AN, wpa_supplicant moves the guest's transmit SA to it.
  "$LINKCRYPTCTL" --socket "$WORK/ctl-mka.sock" rekey >"$WORK/rekey.out" 2>&1 || { cat "$WORK/rekey.out"; fail "$label: linkcryptctl rekey"; }
  for i in $(seq 1 150); do grep -q 'MKA: transmitting with SAK [0-9a-f]*/2 ' "$WORK/a.err" && break; sleep 0.1; done
  grep -q 'MKA: transmitting with SAK [0-9a-f]*/2 ' "$WORK/a.err" || { grep MKA "$WORK/a.err" | tail; fail "$label: no switch to KN 2 after the rekey"; }
  local an2; an2=$(grep -m1 -o 'transmitting with SAK [0-9a-f]*/2 on AN [0-3]' "$WORK/a.err" | awk '{print $NF}')
  for i in $(seq 1 20); do
    guest "ip macsec show $gif" >"$WORK/gmacsec2"
    grep -q "TXSC: [0-9a-f]* on SA $an2" "$WORK/gmacsec2" && break
    sleep 0.5
  done
  grep -q "TXSC: [0-9a-f]* on SA $an2" "$WORK/gmacsec2" || { cat "$WORK/gmacsec2"; fail "$label: the guest's kernel does not transmit on AN $an2 after the rekey"; }
  pass "$label: rekey: KN 2 on AN $an2 on both sides"
  mka_pings "after the rekey"
  fi

  alive a || fail "$label: linkcryptd died"
  kill -TERM "$DPID_a"; wait "$DPID_a" 2>/dev/null || true
  stop_capture mka
  guest "killall wpa_supplicant; sleep 0.5; true"
  # tshark (two runs: it takes a second to start): every MKPDU of both sides is EAPOL-MKA, none
  # malformed, no expert warning; our CKN; the key server's Distributed SAK key numbers.
  local total ours theirs bad ckns kns want
  local ks_mac=$wa_mac; [ "$ks" = wpa ] && ks_mac=$GUEST_MAC
  tshark -r "$WORK/mka.pcap" -Y mka -T fields -E separator=, -e eth.src -e mka.cak_name -e mka.key_number \
      2>/dev/null >"$WORK/mka.fields"
  bad=$(tshark -r "$WORK/mka.pcap" -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null | wc -l)
  total=$(wc -l <"$WORK/mka.fields")
  ours=$(grep -ci "^$wa_mac," "$WORK/mka.fields" || true)
  theirs=$(grep -ci "^$GUEST_MAC," "$WORK/mka.fields" || true)
  [ "$ours" -ge 3 ] && [ "$theirs" -ge 3 ] || fail "$label: too few MKPDUs captured (ours $ours, wpa_supplicant's $theirs)"
  [ "$bad" = 0 ] || { tshark -r "$WORK/mka.pcap" -V -Y '_ws.malformed || _ws.expert' | head -n 80; fail "$label: $bad MKPDUs malformed or with expert warnings"; }
  ckns=$(cut -d, -f2 "$WORK/mka.fields" | tr -d ':' | sort -u)
  [ "$ckns" = "$ckn" ] || fail "$label: tshark shows CKNs '$ckns', expected $ckn only"
  kns=$(grep -i "^$ks_mac," "$WORK/mka.fields" | cut -d, -f3 | grep . | sort -u | tr '\n' ' ')
  want=$(for k in $kn_ours; do printf '%08x ' "$k"; done)
  [ "$kns" = "$want" ] || fail "$label: tshark shows distributed key numbers '$kns', expected '$want'"
  pass "$label: tshark dissects all $total live MKPDUs (ours $ours, wpa_supplicant's $theirs) as EAPOL-MKA: none malformed, no expert warning; CKN and KNs $kn_ours as distributed ($((SECONDS - case_start)) s)"
}
