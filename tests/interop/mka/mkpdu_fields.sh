#!/bin/bash
# mkpdu_fields.sh PCAP: every EAPOL frame in PCAP must be dissected by tshark as EAPOL-MKA with no
# malformed frame and no expert warning; prints one line per MKPDU:
#   mi mn key-server(0|1) ckn distributed-kn latest-kn   (a KN is '-' when its parameter set is absent)
# The same dissector fields and malformed/expert check as the offline encoder check
# (tshark_dissects_mkpdu.sh), for a wire capture of a daemon pair (daemon_mka).
set -euo pipefail
pcap=$1
command -v tshark >/dev/null || { echo "FAIL: tshark is not installed (scripts/install-deps installs it)" >&2; exit 1; }
err=$(mktemp)
trap 'rm -f "$err"' EXIT
bad=$(tshark -r "$pcap" -Y 'eapol && (_ws.malformed || _ws.expert.severity >= warning)' 2>/dev/null | wc -l)
if [ "$bad" -ne 0 ]; then
  tshark -r "$pcap" -V -Y 'eapol && (_ws.malformed || _ws.expert)' >&2
  echo "FAIL: $bad EAPOL frames malformed or with expert warnings" >&2
  exit 1
fi
not_mka=$(tshark -r "$pcap" -Y 'eapol && !mka' 2>/dev/null | wc -l)
[ "$not_mka" -eq 0 ] || { echo "FAIL: $not_mka EAPOL frames not dissected as EAPOL-MKA" >&2; exit 1; }
tshark -r "$pcap" -Y mka -T fields -E separator='|' -E aggregator=' ' \
  -e mka.actor_mi -e mka.actor_mn -e mka.key_server -e mka.cak_name -e mka.key_number -e mka.latest_key_number 2>"$err" |
while IFS='|' read -r mi mn ks ckn dkn lkn; do
  ks=$([ "$ks" = "True" ] || [ "$ks" = "1" ] && echo 1 || echo 0)
  # tshark shows MN and KN as 8 hex digits (or 0x-prefixed).
  num() { if [ -z "$1" ]; then echo -; else echo $((16#${1#0x})); fi; }
  echo "${mi//:/} $(num "$mn") $ks ${ckn//:/} $(num "$dkn") $(num "$lkn")"
done
if grep -v 'Running as user "root"' "$err" | grep -q .; then cat "$err" >&2; echo "FAIL: tshark complained" >&2; exit 1; fi
