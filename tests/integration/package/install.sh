#!/usr/bin/env bash
# The Debian package end to end: build it, lint it, apt-get install it, check what it installed,
# verify the unit, purge it, and check that nothing it installed is left.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "SKIP: installs and purges a Debian package: needs root"; exit 77; }
src=${SOURCE_ROOT:-$(cd "$(dirname "$0")/../../.." && pwd)}
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in dpkg dpkg-deb apt-get lintian systemd-analyze systemctl man; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run scripts/install-deps"
done
status=$(dpkg-query -W -f='${db:Status-Status}' linkcrypt 2>/dev/null || true)
[ -z "$status" ] || [ "$status" = not-installed ] ||
  fail "package linkcrypt is already on this machine ($status): this test installs and purges it; remove it first"

work=$(mktemp -d "/tmp/linkcrypt-package-$$-XXXXXX")
instance=pkgtest$$
installed=0
cleanup() {
  rc=$?
  if [ $installed = 1 ]; then apt-get purge -y -q linkcrypt >/dev/null 2>&1 || true; fi
  rm -f "/etc/systemd/system/multi-user.target.wants/linkcryptd@$instance.service"
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT

echo "== build"
deb=$(OUT_DIR=$work "$src/scripts/package" | tail -n 1)
[ -f "$deb" ] || fail "scripts/package did not produce a .deb (last line: $deb)"
version=$(dpkg-deb -f "$deb" Version)
case $(basename "$deb") in linkcrypt_"${version}"_amd64.deb) ;; *) fail "file name $(basename "$deb") does not match version $version" ;; esac
echo "$deb"

echo "== lintian"
lintian --fail-on error "$deb" || fail "lintian reports errors"

# What the package holds, and which of those paths already existed (/usr, /usr/bin ...).
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's|^\./|/|' -e 's|/$||' | grep -v '^/\?$' > "$work/paths"
while read -r p; do [ -e "$p" ] && echo "$p"; done < "$work/paths" > "$work/existed" || true

echo "== install"
# Docker-style images drop /usr/share/man with a dpkg path-exclude; re-include our pages so the
# man check below tests the package, not the image.
apt-get install -y -q --no-install-recommends \
  -o 'DPkg::Options::=--path-include=/usr/share/man/man*/linkcrypt*' "$deb" > "$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; fail "apt-get install failed"; }
installed=1
[ "$(dpkg-query -W -f='${db:Status-Status}' linkcrypt)" = installed ] || fail "dpkg does not list linkcrypt as installed"

for f in /usr/sbin/linkcryptd /usr/bin/linkcryptctl /usr/bin/linkcrypt-pcap; do
  [ -x "$f" ] || fail "$f is not installed"
done
out=$(/usr/sbin/linkcryptd --version) || fail "linkcryptd --version failed"
echo "linkcryptd --version: $out"
meson_version=${version%%+*}; meson_version=${meson_version%-*}
[[ $out == *"$meson_version"* ]] || fail "linkcryptd --version does not name version $meson_version"
if [[ $version =~ \.g([0-9a-f]+) ]]; then
  [[ $out == *"${BASH_REMATCH[1]}"* ]] || fail "linkcryptd --version does not name commit ${BASH_REMATCH[1]} of the package version $version"
fi
/usr/bin/linkcryptctl --version >/dev/null || fail "linkcryptctl --version failed"
/usr/bin/linkcrypt-pcap --version >/dev/null || fail "linkcrypt-pcap --version failed"

for page in linkcryptd.8 linkcryptctl.8 linkcrypt-pcap.1 linkcrypt.conf.5; do
  name=${page%.*}; section=${page##*.}
  path=$(man -w "$section" "$name") || fail "man -w $section $name finds no page"
  [ "$path" = "/usr/share/man/man$section/$page.gz" ] || fail "man -w $section $name gives $path"
  [ -s "$path" ] || fail "$path is empty"
done
man -w linkcryptd >/dev/null || fail "man -w linkcryptd finds no page"
man 8 linkcryptd 2>/dev/null | grep -q -- '--check-config' || fail "linkcryptd(8) does not render or lacks --check-config"

[ "$(stat -c '%a %U %G' /etc/linkcrypt)" = "750 root root" ] ||
  fail "/etc/linkcrypt is $(stat -c '%a %U %G' /etc/linkcrypt), not 750 root root"
ls /usr/share/doc/linkcrypt/examples/*.conf >/dev/null 2>&1 || fail "no example configuration installed"
lua=/usr/share/linkcrypt/wireshark/linkcrypt_kx.lua
[ -f "$lua" ] || fail "$lua is not installed"
# One key-exchange frame (an IKE header, Length 28, no payload): tshark with the plugin reads
# the IKE Length, which it can only do with the plugin loaded.
/usr/bin/python3 -c '
import struct, sys
frame = bytes.fromhex("0180c2000003020000000a0188b5") + bytes(16) + bytes([0, 0x20, 34, 0x08]) + bytes(4) + struct.pack(">I", 28) + bytes(18)
sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1) + struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)
' >"$work/kx.pcap"
[ "$(tshark -X "lua_script:$lua" -r "$work/kx.pcap" -T fields -e linkcrypt_kx.ike_length 2>/dev/null)" = 28 ] ||
  fail "tshark does not load $lua (or it does not dissect a key-exchange frame)"

echo "== systemd unit"
unit=/lib/systemd/system/linkcryptd@.service
[ -f "$unit" ] || fail "$unit is not installed"
# verify exits 0 on settings it ignores, so any message at all is a failure.
msgs=$(systemd-analyze verify --man=no "linkcryptd@$instance.service" 2>&1) || fail "systemd-analyze verify: $msgs"
[ -z "$msgs" ] || fail "systemd-analyze verify complains: $msgs"
grep -q "^ExecStart=/usr/sbin/linkcryptd --config /etc/linkcrypt/%i.conf " "$unit" || fail "ExecStart does not run the instance's config"
# The sandbox must not erode: systemd's own exposure score (0 best, 10 worst) at most 3.5.
systemd-analyze security --offline=true --threshold=35 "$unit" > "$work/security" 2>&1 ||
  { tail -n 1 "$work/security" >&2; fail "the unit's exposure rose above 3.5"; }
tail -n 1 "$work/security"
# An operator enables an instance; purging the package must take the link away again.
systemctl enable "linkcryptd@$instance.service" >/dev/null 2>&1 || fail "systemctl enable linkcryptd@$instance failed"
[ -L "/etc/systemd/system/multi-user.target.wants/linkcryptd@$instance.service" ] ||
  fail "systemctl enable made no multi-user.target.wants link"

echo "== purge"
apt-get purge -y -q linkcrypt > "$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get purge failed"; }
installed=0
status=$(dpkg-query -W -f='${db:Status-Status}' linkcrypt 2>/dev/null || true)
[ -z "$status" ] || [ "$status" = not-installed ] || fail "dpkg still knows linkcrypt after purge ($status)"
left=$(while read -r p; do
  [ -e "$p" ] || [ -L "$p" ] || continue
  grep -qxF "$p" "$work/existed" || echo "$p"
done < "$work/paths")
[ -z "$left" ] || fail "left after purge: $left"
[ ! -e /etc/linkcrypt ] || fail "/etc/linkcrypt is left after purge"
[ ! -e "/etc/systemd/system/multi-user.target.wants/linkcryptd@$instance.service" ] ||
  fail "the enabled instance's link is left after purge"
echo "PASS: $(basename "$deb") built, lintian-clean, installed, verified and purged without a trace"
