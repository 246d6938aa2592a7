#!/usr/bin/env bash
# Installs a PostgreSQL 17 + pgvector root filesystem that sdk-rag's tests start throwaway clusters from
# (they verify the LangChain4j EmbeddingStore adapter against a real pgvector).
#
# Debian bookworm has no pgvector package, so this builds a minimal Debian trixie root with debootstrap
# and installs postgresql-17 + postgresql-17-pgvector inside it (chroot). Nothing runs as a service: the
# packages are kept from starting or creating a cluster; the tests run initdb/pg_ctl themselves.
#
# Result: ~/.cache/keel/pgvector/trixie-pg17/root (about 480 MB; from nothing about a minute).
# Idempotent: does nothing when the root is complete (marker file + binaries present).
# Built in a temporary directory next to the target and renamed into place, so an interrupted run never
# leaves a half-built root where the tests look. No mount survives this script (checked on exit).
# Needs root (debootstrap, chroot), Debian's package mirror, and apt-get for debootstrap if it is missing.
# Exit status: 0 installed (or already there); 1 cannot be had (message on stderr says why).
#
# Usage: scripts/setup/pgvector.sh [--if-possible]
#   --if-possible  (used by the Maven build) outside CI a root that cannot be had is a warning, not an
#                  error; the pgvector tests then skip. With CI=true it is always an error.
# Environment: KEEL_CACHE_DIR (default ~/.cache/keel), KEEL_DEBIAN_MIRROR (default http://deb.debian.org/debian),
#   KEEL_PGVECTOR_ROOT (an existing complete root to use instead; nothing is built then).
set -euo pipefail
SOFT=0; [ "${1:-}" = "--if-possible" ] && SOFT=1

SUITE="trixie"
PG_MAJOR="17"
PACKAGES="postgresql-$PG_MAJOR postgresql-$PG_MAJOR-pgvector"
MIRROR="${KEEL_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE_ROOT="${KEEL_CACHE_DIR:-$HOME/.cache/keel}"
BASE="$CACHE_ROOT/pgvector"
DEST="$BASE/$SUITE-pg$PG_MAJOR/root"
MARKER=".keel-pgvector-complete"

log() { echo "pgvector setup: $*" >&2; }

fail() {
  log "$*"
  log "a PostgreSQL $PG_MAJOR + pgvector root is needed by sdk-rag's pgvector tests. Make Debian's mirror"
  log "  ($MIRROR) reachable, run as root, and re-run scripts/setup/pgvector.sh; or point"
  log "  -Dkeel.pgvector.root / KEEL_PGVECTOR_ROOT at an existing root with $PACKAGES installed."
  if [ "$SOFT" = 1 ] && [ "${CI:-}" != "true" ]; then
    log "continuing without it (--if-possible outside CI): tests that need it will be skipped"
    exit 0
  fi
  exit 1
}

complete() {
  local r="$1"
  [ -f "$r/$MARKER" ] \
    && [ -x "$r/usr/lib/postgresql/$PG_MAJOR/bin/postgres" ] \
    && [ -x "$r/usr/lib/postgresql/$PG_MAJOR/bin/initdb" ] \
    && [ -f "$r/usr/share/postgresql/$PG_MAJOR/extension/vector.control" ]
}

if [ -n "${KEEL_PGVECTOR_ROOT:-}" ] && complete "$KEEL_PGVECTOR_ROOT"; then
  log "using KEEL_PGVECTOR_ROOT=$KEEL_PGVECTOR_ROOT ($(cat "$KEEL_PGVECTOR_ROOT/$MARKER"))"
  exit 0
fi
if complete "$DEST"; then
  log "$DEST already installed ($(cat "$DEST/$MARKER"))"
  exit 0
fi

[ "$(uname -s)" = "Linux" ] || fail "needs Linux (this is $(uname -s))"
[ "$(id -u)" = 0 ] || fail "needs root (debootstrap and chroot); this is uid $(id -u)"
ARCH="$(dpkg --print-architecture 2>/dev/null || true)"
[ -n "$ARCH" ] || fail "dpkg not found: this script needs a Debian-based host"

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap (apt-get update; apt-get install -y debootstrap)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || fail "apt-get update failed (is a Debian mirror reachable?)"
  apt-get install -y -qq debootstrap >/dev/null 2>&1 || fail "apt-get install -y debootstrap failed"
fi
[ -e "/usr/share/debootstrap/scripts/$SUITE" ] \
  || fail "this debootstrap ($(dpkg-query -W -f='${Version}' debootstrap 2>/dev/null)) does not know the suite $SUITE"

mkdir -p "$BASE"
# Same file system as the target, so the final rename is atomic.
WORK="$(realpath "$(mktemp -d "$BASE/.build.XXXXXX")")"  # canonical, as /proc/mounts shows it
NEW="$WORK/root"

# Everything mounted below $WORK (debootstrap's own bind mounts if it died, our /proc), deepest first.
mounts_under() { awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r; }
unmount_all() {
  local m
  for m in $(mounts_under "$1"); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
}
cleanup() {
  unmount_all "$WORK"
  if [ -n "$(mounts_under "$WORK")" ]; then
    # Never recurse into a mounted host directory.
    log "WARNING: could not unmount $(mounts_under "$WORK" | tr '\n' ' '); leaving $WORK in place"
  else
    rm -rf --one-file-system "$WORK"
  fi
}
trap cleanup EXIT

START=$(date +%s)
log "debootstrap --variant=minbase $SUITE from $MIRROR (about 30 s)"
if ! debootstrap --variant=minbase --arch="$ARCH" "$SUITE" "$NEW" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
  tail -n 5 "$WORK/debootstrap.log" >&2 || true
  fail "debootstrap $SUITE failed (log above)"
fi
unmount_all "$WORK"

# Real device nodes (inside a container debootstrap bind-mounts the host's and leaves empty files behind),
# so the tests need no mount at all in the root.
dev_node() {
  rm -f "$NEW/dev/$1"
  mknod -m "$2" "$NEW/dev/$1" c "$3" "$4" || fail "cannot create the device node /dev/$1 in the root (mknod not permitted here?)"
}
dev_node null 666 1 3; dev_node zero 666 1 5; dev_node full 666 1 7
dev_node random 666 1 8; dev_node urandom 666 1 9; dev_node tty 666 5 0
# PostgreSQL's POSIX shared memory lives in /dev/shm: world-writable and sticky, as on a host.
mkdir -p "$NEW/dev/shm"; chmod 1777 "$NEW/dev/shm"

# No service may start and no cluster is created while the packages install.
printf '#!/bin/sh\nexit 101\n' > "$NEW/usr/sbin/policy-rc.d"; chmod 755 "$NEW/usr/sbin/policy-rc.d"
mkdir -p "$NEW/etc/postgresql-common/createcluster.d"
echo "create_main_cluster = false" > "$NEW/etc/postgresql-common/createcluster.d/keel.conf"

log "installing $PACKAGES inside the root (about 15 s)"
mount -t proc proc "$NEW/proc" || fail "cannot mount /proc in the root (mount not permitted here?)"
if ! chroot "$NEW" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 \
    sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $PACKAGES && apt-get clean" \
    >"$WORK/apt.log" 2>&1; then
  tail -n 5 "$WORK/apt.log" >&2 || true
  fail "installing $PACKAGES inside the $SUITE root failed (log above)"
fi
unmount_all "$WORK"
[ -z "$(mounts_under "$WORK")" ] || fail "could not unmount $(mounts_under "$WORK" | tr '\n' ' ')"
rm -rf "$NEW/var/lib/apt/lists/"* "$NEW/var/cache/apt/"*.bin

PG_VERSION="$(chroot "$NEW" "/usr/lib/postgresql/$PG_MAJOR/bin/postgres" --version | awk '{print $3}')"
VECTOR_VERSION="$(awk -F"'" '/default_version/ {print $2}' "$NEW/usr/share/postgresql/$PG_MAJOR/extension/vector.control")"
echo "debian $SUITE, postgresql $PG_VERSION, pgvector $VECTOR_VERSION" > "$NEW/$MARKER"
complete "$NEW" || fail "the root was built but PostgreSQL $PG_MAJOR or pgvector is missing in it"

# Atomic replace: a stale, incomplete root is moved aside first, then the new one is renamed in.
mkdir -p "$(dirname "$DEST")"
if [ -e "$DEST" ]; then mv "$DEST" "$WORK/stale"; fi
mv "$NEW" "$DEST"
log "installed $DEST ($(cat "$DEST/$MARKER"); $(du -sh "$DEST" | cut -f1), $(( $(date +%s) - START )) s)"
