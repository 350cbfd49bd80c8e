#!/bin/bash
# tshark's EAPOL-MKA dissector reads every MKPDU our encoder writes without a malformed or expert
# error, and shows the MI, MN, key-server flag, CKN and SAK key number we put in.
set -euo pipefail
samples=$1
command -v tshark >/dev/null || { echo "FAIL: tshark is not installed (scripts/install-deps installs it)"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$samples" "$dir/mka.pcap" > "$dir/expected"
n=$(wc -l < "$dir/expected")
echo "encoded $n MKPDUs"

fields=$(tshark -r "$dir/mka.pcap" -T fields -E separator=, \
  -e mka.actor_mi -e mka.actor_mn -e mka.key_server -e mka.cak_name -e mka.key_number -e mka.distributed_an -e mka.macsec_cipher_suite 2>"$dir/err")
echo "$fields"
# tshark warns when run as root; anything else on stderr is a complaint about the capture.
if grep -v 'Running as user "root"' "$dir/err" | grep -q .; then cat "$dir/err"; echo "FAIL: tshark complained"; exit 1; fi
bad=$(tshark -r "$dir/mka.pcap" -Y '_ws.malformed || _ws.expert.severity >= warning' 2>/dev/null | wc -l)
[ "$bad" -eq 0 ] || { tshark -r "$dir/mka.pcap" -V -Y '_ws.malformed || _ws.expert'; echo "FAIL: $bad frames malformed or with expert warnings"; exit 1; }

i=0
# tshark shows MN and KN as 8 hex digits.
num() { if [ -z "$1" ]; then echo -; elif [ ${#1} -eq 8 ]; then echo $((16#$1)); else echo "$1"; fi; }
while read -r mi mn ks ckn kn dan suite; do
  i=$((i + 1))
  got=$(sed -n "${i}p" <<<"$fields")
  IFS=, read -r g_mi g_mn g_ks g_ckn g_kn g_dan g_suite <<<"$got"
  g_mi=${g_mi//:/}; g_ckn=${g_ckn//:/}
  g_ks=$([ "$g_ks" = "True" ] || [ "$g_ks" = "1" ] && echo 1 || echo 0)
  shown="mi=$g_mi mn=$(num "$g_mn") ks=$g_ks ckn=$g_ckn kn=$(num "$g_kn") dan=${g_dan:--} suite=${g_suite:--}"
  [ "$shown" = "$mi $mn $ks $ckn $kn $dan $suite" ] || {
    echo "FAIL: frame $i: tshark shows '$shown', we encoded '$mi $mn $ks $ckn $kn $dan $suite'"
    exit 1
  }
done < "$dir/expected"
echo "PASS: $n MKPDUs dissected by tshark $(tshark --version | head -1 | awk '{print $3}') as EAPOL-MKA, fields match"
