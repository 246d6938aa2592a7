#!/usr/bin/env bash
# Installs what Keel's microVM sandboxes need and caches it under ~/.cache/keel/sandbox:
#   - qemu-system-x86_64 (Debian package qemu-system-x86, installed with apt-get when running as root)
#   - Debian's generic kernel (pinned .deb, sha256 verified, unpacked with dpkg-deb -x; not installed)
#   - a static busybox (pinned busybox-static .deb, sha256 verified, unpacked)
#   - the guest agent, compiled statically from sdk-sandbox/src/main/c/agent/*.c
#   - the workspace quota guard qemu is started with, compiled from sdk-sandbox/src/main/c/fsguard/fsguard.c
#   - optionally (as root) a Debian bookworm root built with debootstrap, for GuestRoot.DEBIAN
# Writes ~/.cache/keel/sandbox/assets-v2.properties, which the Java provider reads. The index carries its format
# version in its name, so checkouts of different Keel versions can share the cache without overwriting each
# other's index (the assets themselves sit in content-hashed folders).
# Idempotent: a second run with everything in place does nothing but verify.
set -euo pipefail

KERNEL_PKG=linux-image-6.1.0-56-amd64
KERNEL_VERSION=6.1.192-2
KERNEL_SHA256=a86e2049672f52354c4536a089203b6c82639420424d31c91cf31a181fd4d8f1
KERNEL_RELEASE=6.1.0-56-amd64
BUSYBOX_PKG=busybox-static
BUSYBOX_VERSION=1:1.35.0-4+deb12u1+b1
BUSYBOX_SHA256=3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744
# qemu is installed with apt-get (apt verifies the signed archive's checksums). The exact version is tried
# first; when the archive has moved on within bookworm's 7.2 series, that version is installed instead and
# said so. Anything older than 7.2 lacks what the sandbox needs (microvm with PVH, -sandbox).
QEMU_PKG_VERSION=1:7.2+dfsg-7+deb12u18+b3
QEMU_MIN=7.2
# The optional Debian guest root (GuestRoot.DEBIAN): debootstrap minbase of bookworm plus these packages.
# Package versions are whatever bookworm has when it is built; the exact list is kept in the root's
# /etc/keel-packages. KEEL_SANDBOX_DEBIAN_ROOT=0 skips it.
DEBOOTSTRAP_VERSION=1.0.128+nmu2+deb12u2
DEBIAN_ROOT_PKGS=python3,git,ca-certificates
# the mirror apt already uses (deb822 or one-line sources), else deb.debian.org; KEEL_DEBIAN_MIRROR wins
apt_mirror() {
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}';
    grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; break}}'; } \
    | grep -v -- '-security' | head -1
}
DEBIAN_MIRROR="${KEEL_DEBIAN_MIRROR:-$(apt_mirror || true)}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

repo="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${KEEL_SANDBOX_CACHE:-$HOME/.cache/keel/sandbox}"
mkdir -p "$cache/debs"

say() { echo "keel sandbox setup: $*" >&2; }
# --from-build (the Maven build): outside CI a missing prerequisite is reported and the sandbox tests
# skip; in CI (CI=true) and when run by hand it is an error.
from_build=""; [ "${1:-}" = "--from-build" ] && from_build=1
fail() {
  say "ERROR: $*"
  if [ -n "$from_build" ] && [ "${CI:-}" != "true" ]; then say "sandbox tests will be skipped"; exit 0; fi
  exit 1
}
is_root() { [ "$(id -u)" = 0 ]; }
apt_updated=""
apt_update() {
  if [ -z "$apt_updated" ] && is_root; then
    say "apt-get update"; apt-get update -qq >"$cache/apt.log" 2>&1 || say "apt-get update failed (see $cache/apt.log)"; apt_updated=1
  fi
}
apt_install() {
  if ! is_root; then
    fail "$1 is missing; install it with: sudo apt-get install -y $2"
  fi
  apt_update
  say "installing $2"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $2 >"$cache/apt.log" 2>&1 \
    || fail "could not install $2 with apt-get (Debian bookworm package); install it by hand"
}

# 1. QEMU
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
  if is_root; then
    apt_update
    say "installing qemu-system-x86=$QEMU_PKG_VERSION"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "qemu-system-x86=$QEMU_PKG_VERSION" \
        >"$cache/apt.log" 2>&1 || {
      say "qemu-system-x86=$QEMU_PKG_VERSION is no longer in the archive; installing the current bookworm version"
      apt_install qemu-system-x86_64 qemu-system-x86
    }
  else
    fail "qemu-system-x86_64 is missing; install it with: sudo apt-get install -y qemu-system-x86"
  fi
fi
command -v qemu-system-x86_64 >/dev/null 2>&1 || fail "qemu-system-x86_64 still not on PATH"
qemu_version="$(qemu-system-x86_64 --version | head -1 | sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p')"
if [ -z "$qemu_version" ] || [ "$(printf '%s\n%s\n' "$QEMU_MIN" "$qemu_version" | sort -V | head -1)" != "$QEMU_MIN" ]; then
  fail "qemu-system-x86_64 ${qemu_version:-of unknown version} is too old; QEMU >= $QEMU_MIN is needed (Debian bookworm's qemu-system-x86)"
fi
# 2. a C compiler with static libc for the guest agent
if ! command -v gcc >/dev/null 2>&1 || [ ! -e /usr/lib/x86_64-linux-gnu/libc.a ]; then
  apt_install "gcc/libc6-dev" "gcc libc6-dev"
fi
command -v setpriv >/dev/null 2>&1 || apt_install setpriv util-linux
# AddressSanitizer/UBSan runtimes: the agent's frame parser is unit-tested under them in the build
if ! echo 'int main(void) { return 0; }' | gcc -x c -fsanitize=address,undefined -o "$cache/.sanitizer-probe" - >/dev/null 2>&1; then
  apt_install "libasan/libubsan (gcc's sanitizer runtimes)" "libasan8 libubsan1"
  echo 'int main(void) { return 0; }' | gcc -x c -fsanitize=address,undefined -o "$cache/.sanitizer-probe" - >/dev/null 2>&1 \
    || fail "gcc cannot build with -fsanitize=address,undefined even after installing libasan8 and libubsan1"
fi
rm -f "$cache/.sanitizer-probe"

# 3. pinned .debs, checksum verified
fetch_deb() { # pkg version sha256|"" [soft] -> prints path; empty sha256: trust apt's signed-index check
  local pkg="$1" ver="$2" sum="$3" soft="${4:-}" file
  file="$cache/debs/${pkg}_${ver#*:}_amd64.deb"
  if [ -f "$file" ] && { [ -z "$sum" ] || echo "$sum  $file" | sha256sum -c --status; }; then echo "$file"; return; fi
  rm -f "$file"
  local tmp; tmp="$(mktemp -d "$cache/debs/dl.XXXXXX")"
  # _apt cannot write into a private cache directory; downloading as the caller is fine for a checksummed file
  if ! (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" "$pkg=$ver" >/dev/null 2>&1); then
    apt_update
    (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" "$pkg=$ver" >&2) || {
      rm -rf "$tmp"
      [ -n "$soft" ] && return 1
      fail "cannot download $pkg=$ver from the Debian archive (is apt configured for bookworm and reachable?)"; }
  fi
  local got; got="$(ls "$tmp"/*.deb)"
  if [ -n "$sum" ] && ! echo "$sum  $got" | sha256sum -c --status; then
    rm -rf "$tmp"; fail "checksum mismatch for $pkg=$ver (expected $sum)"
  fi
  mv "$got" "$file"; rm -rf "$tmp"; echo "$file"
}
unpack() { # deb dir
  if [ ! -f "$2/.unpacked" ]; then
    rm -rf "$2"; mkdir -p "$2"; dpkg-deb -x "$1" "$2"; touch "$2/.unpacked"
  fi
}
# Debian's archive keeps only the current kernel ABI of a release: when the pinned one is gone, take the
# kernel bookworm's linux-image-amd64 depends on now (apt-get download checks it against the signed
# archive index) and say which pin to bump, rather than break every fresh machine.
if ! kdeb="$(fetch_deb "$KERNEL_PKG" "$KERNEL_VERSION" "$KERNEL_SHA256" soft)"; then
  apt_update
  current_pkg="$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1)"
  current_ver="$(apt-cache policy "$current_pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')"
  [ -n "$current_pkg" ] && [ -n "$current_ver" ] && [ "$current_ver" != "(none)" ] \
    || fail "the pinned kernel $KERNEL_PKG=$KERNEL_VERSION is gone from the archive and no current bookworm kernel was found"
  say "WARNING: pinned kernel $KERNEL_PKG=$KERNEL_VERSION is no longer in the archive; using $current_pkg=$current_ver"
  say "  (verified by apt against the signed archive index). Update KERNEL_* in scripts/setup/sandbox.sh."
  KERNEL_PKG="$current_pkg"; KERNEL_VERSION="$current_ver"; KERNEL_RELEASE="${current_pkg#linux-image-}"
  kdeb="$(fetch_deb "$KERNEL_PKG" "$KERNEL_VERSION" "")"
fi
kdir="$cache/kernel-$KERNEL_VERSION"
unpack "$kdeb" "$kdir"
bdeb="$(fetch_deb "$BUSYBOX_PKG" "$BUSYBOX_VERSION" "$BUSYBOX_SHA256")"
bdir="$cache/busybox-${BUSYBOX_VERSION#*:}"
unpack "$bdeb" "$bdir"
[ -f "$kdir/boot/vmlinuz-$KERNEL_RELEASE" ] || fail "kernel image missing in $kdeb"
[ -x "$bdir/bin/busybox" ] || fail "busybox missing in $bdeb"

# The bzImage is XZ-compressed; decompressing it under TCG costs seconds of every boot. The uncompressed
# ELF vmlinux boots directly through its PVH entry point (CONFIG_PVH=y), so extract it once.
kernel="$kdir/boot/vmlinuz-$KERNEL_RELEASE"
vmlinux="$kdir/boot/vmlinux-$KERNEL_RELEASE"
if [ ! -s "$vmlinux" ] && command -v xz >/dev/null 2>&1; then
  off="$(grep -abo $'\xfd7zXZ\x00' "$kernel" | head -1 | cut -d: -f1 || true)"
  if [ -n "$off" ]; then
    tail -c +"$((off + 1))" "$kernel" | xz -dc --single-stream > "$vmlinux.tmp" 2>/dev/null || true
    if [ "$(head -c 4 "$vmlinux.tmp" 2>/dev/null | od -An -c | tr -d ' ')" = "177ELF" ]; then
      mv "$vmlinux.tmp" "$vmlinux"
    else
      rm -f "$vmlinux.tmp"
    fi
  fi
fi
[ -s "$vmlinux" ] && kernel="$vmlinux" || say "using the compressed kernel (no xz to extract vmlinux): boots are slower"

# 4. guest agent, keyed by the hash of its sources
src="$repo/sdk-sandbox/src/main/c/agent"
[ -f "$src/main.c" ] || fail "guest agent sources not found in $src"
ahash="$(cat "$src"/*.h "$src"/*.c | sha256sum | cut -c1-16)"
agent="$cache/agent-$ahash/keel-agent"
if [ ! -x "$agent" ]; then
  mkdir -p "$cache/agent-$ahash"
  say "compiling guest agent"
  gcc -static -O2 -Wall -Wextra -Werror -o "$agent.tmp" "$src"/*.c -lutil || fail "cannot compile the guest agent"
  mv "$agent.tmp" "$agent"
fi

# 5. the workspace quota guard qemu runs with (a preload library), keyed by the hash of its sources
gsrc="$repo/sdk-sandbox/src/main/c/fsguard"
[ -f "$gsrc/fsguard.c" ] || fail "workspace guard sources not found in $gsrc"
ghash="$(cat "$gsrc"/*.h "$gsrc"/*.c | sha256sum | cut -c1-16)"
fsguard="$cache/fsguard-$ghash/libkeel-fsguard.so"
if [ ! -f "$fsguard" ]; then
  mkdir -p "$cache/fsguard-$ghash"
  say "compiling the workspace guard"
  gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$fsguard.tmp" "$gsrc/fsguard.c" -ldl \
    || fail "cannot compile the workspace guard"
  mv "$fsguard.tmp" "$fsguard"
fi

# 6. the optional Debian root, built once
# a missing optional part: an error in CI (its tests would fail), a note elsewhere
soft_fail() { say "$*"; if [ "${CI:-}" = "true" ]; then say "ERROR (CI=true)"; exit 1; fi; }
# The root must carry nothing of the machine that built it: debootstrap copies the host's hostname and resolver.
# Idempotent; /etc/keel-packages stays.
SANITIZED=.keel-sanitized-1
sanitize_root() { # root-dir
  printf 'sandbox\n' > "$1/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$1/etc/hosts"
  printf '# no DNS inside a Keel sandbox: the egress proxy resolves names on the host\n' > "$1/etc/resolv.conf"
  chmod 0644 "$1/etc/hostname" "$1/etc/hosts" "$1/etc/resolv.conf"
  rm -f "$1/etc/machine-id" "$1/var/lib/dbus/machine-id" "$1/var/lib/systemd/random-seed" "$1/etc/mailname" \
        "$1"/etc/ssh/ssh_host_*
  touch "$1/$SANITIZED"
}
debian_root=""
if [ "${KEEL_SANDBOX_DEBIAN_ROOT:-1}" != 0 ]; then
  droot="$cache/debian-root-bookworm-$(echo "$DEBIAN_ROOT_PKGS" | sha256sum | cut -c1-8)"
  if [ -f "$droot/.keel-complete" ]; then
    debian_root="$droot"
    if [ ! -f "$droot/$SANITIZED" ]; then
      if is_root; then say "removing the build host's identity from the Debian guest root"; sanitize_root "$droot"
      else soft_fail "the Debian guest root carries the build host's hostname and resolver; run: sudo scripts/setup/sandbox.sh"; fi
    fi
  elif ! is_root; then
    soft_fail "the Debian guest root is not built: debootstrap needs root (run: sudo scripts/setup/sandbox.sh)"
  else
    command -v debootstrap >/dev/null 2>&1 || {
      apt_update
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "debootstrap=$DEBOOTSTRAP_VERSION" \
          >"$cache/apt.log" 2>&1 || apt_install debootstrap debootstrap
    }
    say "building the Debian guest root with debootstrap (once; about a minute): $DEBIAN_ROOT_PKGS"
    rm -rf "$droot.tmp"
    if debootstrap --variant=minbase --include="$DEBIAN_ROOT_PKGS" bookworm "$droot.tmp" "$DEBIAN_MIRROR" \
        >"$cache/debootstrap.log" 2>&1; then
      rm -rf "$droot.tmp"/var/cache/apt/archives/*.deb "$droot.tmp"/var/lib/apt/lists/* "$droot.tmp"/var/log/*
      chroot "$droot.tmp" dpkg-query -W > "$droot.tmp/etc/keel-packages"
      sanitize_root "$droot.tmp"
      touch "$droot.tmp/.keel-complete"
      rm -rf "$droot"; mv "$droot.tmp" "$droot"
      debian_root="$droot"
    else
      rm -rf "$droot.tmp"
      soft_fail "could not build the Debian guest root with debootstrap from $DEBIAN_MIRROR (see $cache/debootstrap.log)"
    fi
  fi
fi

props="$cache/assets-v2.properties"
cat > "$props.tmp" <<PROPS
# written by scripts/setup/sandbox.sh
qemu=$(command -v qemu-system-x86_64)
kernel=$kernel
modules=$kdir/lib/modules/$KERNEL_RELEASE
busybox=$bdir/bin/busybox
agent=$agent
fsguard=$fsguard
kernel.version=$KERNEL_VERSION
qemu.version=$qemu_version
debian.root=$debian_root
busybox.version=$BUSYBOX_VERSION
PROPS
mv "$props.tmp" "$props"
say "ready: $props"
