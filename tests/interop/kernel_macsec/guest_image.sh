#!/usr/bin/env bash
# Builds the kernel-MACsec guest: Debian's own kernel (apt-get download, cached) and an initramfs.
#
# Usage: guest_image.sh OUTDIR   -> OUTDIR/vmlinuz, OUTDIR/initrd.gz, OUTDIR/kernel-version
#
# The kernel package is fetched with `apt-get download` into $LINKCRYPT_GUEST_CACHE (default
# /var/cache/linkcrypt-test) and unpacked there, never installed: the host's /boot is not
# touched. The initramfs holds busybox-static, iproute2's `ip`, iputils' `ping` and wpa_supplicant (with their
# libraries, copied from this Debian 12 host), the kernel's virtio, crypto and macsec modules
# and ./guest_init as /init. Every missing tool is one clear error line and exit 1.
set -euo pipefail

out=${1:?usage: guest_image.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
cache=${LINKCRYPT_GUEST_CACHE:-/var/cache/linkcrypt-test}

need() { command -v "$1" >/dev/null || { echo "guest_image: $1 is missing (scripts/install-deps: $2)" >&2; exit 1; }; }
need apt-get apt; need apt-cache apt; need dpkg-deb dpkg; need cpio cpio; need gzip gzip
need ldd libc-bin; need ip iproute2; need ping iputils-ping; need wpa_supplicant wpasupplicant
[ -x /bin/busybox ] || { echo "guest_image: /bin/busybox is missing (scripts/install-deps: busybox-static)" >&2; exit 1; }
# The guest has no libc of its own for busybox: it must be the static build.
if ldd /bin/busybox >/dev/null 2>&1; then
  echo "guest_image: /bin/busybox is dynamically linked; install busybox-static (scripts/install-deps)" >&2; exit 1
fi

mkdir -p "$cache" "$out"
exec 9>"$cache/.lock"
flock 9   # two test runs share the cache: one fetches, the other waits

# linux-image-amd64 is a metapackage; the kernel is its one dependency (linux-image-<abi>-amd64).
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
deb=""
if [ -n "$pkg" ]; then
  ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')
  deb=$(ls "$cache/${pkg}_${ver//:/%3a}_amd64.deb" 2>/dev/null || true)
  if [ -z "$deb" ]; then
    echo "guest_image: apt-get download $pkg ($ver) into $cache" >&2
    (cd "$cache" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >&2) || true
    deb=$(ls "$cache/${pkg}_${ver//:/%3a}_amd64.deb" 2>/dev/null || true)
  fi
fi
if [ -z "$deb" ]; then
  # No package lists or no mirror: a kernel fetched earlier still does the job.
  deb=$(ls -t "$cache"/linux-image-*-amd64_*_amd64.deb 2>/dev/null | head -n1 || true)
  [ -n "$deb" ] || { echo "guest_image: cannot fetch linux-image-amd64's kernel (apt-get update? mirror reachable?) and none is cached in $cache" >&2; exit 1; }
  echo "guest_image: using the cached $deb" >&2
fi

# Unpack once per package: only the kernel image and the modules the guest needs.
tree="$cache/$(basename "$deb" .deb)"
if [ ! -f "$tree/.complete" ]; then
  rm -rf "$tree"; mkdir -p "$tree"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tree" --wildcards \
      './boot/vmlinuz-*' './lib/modules/*/kernel/crypto' './lib/modules/*/kernel/arch/x86/crypto' \
      './lib/modules/*/kernel/lib/crypto' './lib/modules/*/kernel/drivers/virtio' \
      './lib/modules/*/kernel/drivers/net/virtio_net.ko' './lib/modules/*/kernel/drivers/net/net_failover.ko' \
      './lib/modules/*/kernel/net/core/failover.ko' './lib/modules/*/kernel/drivers/net/macsec.ko'
  touch "$tree/.complete"
fi
kver=$(basename "$(ls -d "$tree"/lib/modules/*)")

# The initramfs tree.
root=$(mktemp -d /tmp/linkcrypt-guest.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/local/sbin,proc,sys,dev,tmp,run,lib/modules}
cp /bin/busybox "$root/bin/busybox"
cp -a "$tree/lib/modules/$kver" "$root/lib/modules/"
# busybox modprobe reads modules.dep; busybox depmod writes it from the modules' own tables.
(cd "$root" && /bin/busybox depmod -b "$root" "$kver")
[ -s "$root/lib/modules/$kver/modules.dep" ] || { echo "guest_image: depmod produced no modules.dep" >&2; exit 1; }
copy_with_libs() {  # copy_with_libs BINARY DEST: the binary and every library ldd names.
  cp -L "$1" "$root$2"
  ldd "$1" | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
  done
}
copy_with_libs "$(command -v ip)" /usr/local/sbin/ip     # busybox ip has no macsec
copy_with_libs "$(command -v ping)" /usr/local/bin/ping  # iputils: -M do (DF) and -6
copy_with_libs "$(command -v wpa_supplicant)" /usr/local/sbin/wpa_supplicant  # the MKA peer (macsec_linux)
cp "$here/guest_init" "$root/init"; chmod 0755 "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.gz.new"
mv "$out/initrd.gz.new" "$out/initrd.gz"
cp "$tree/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "$kver $(basename "$deb")" >"$out/kernel-version"
