#!/usr/bin/env bash
# Installs the MCP servers that sdk-agents' tests talk to, from the npm registry, at pinned versions,
# under ~/.cache/keel/mcp (override with KEEL_MCP_HOME). Idempotent: a second run with the same pins
# does nothing. npm verifies each tarball against the registry's integrity hash, and the script then
# checks the installed versions. Prints a clear message and exits non-zero when node/npm are missing.
set -euo pipefail

FILESYSTEM_VERSION="2026.8.31"
EVERYTHING_VERSION="2026.8.31"

home="${KEEL_MCP_HOME:-$HOME/.cache/keel/mcp}"
stamp="$home/.installed-$FILESYSTEM_VERSION-$EVERYTHING_VERSION"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "mcp-servers: node and npm are required to install the MCP test servers (apt-get install nodejs npm)" >&2
  exit 1
fi

if [ -f "$stamp" ] \
   && [ -f "$home/node_modules/@modelcontextprotocol/server-filesystem/package.json" ] \
   && [ -f "$home/node_modules/@modelcontextprotocol/server-everything/package.json" ]; then
  echo "mcp-servers: already installed in $home"
  exit 0
fi

mkdir -p "$home"
cd "$home"
cat > package.json <<JSON
{
  "name": "keel-mcp-test-servers",
  "private": true,
  "dependencies": {
    "@modelcontextprotocol/server-filesystem": "$FILESYSTEM_VERSION",
    "@modelcontextprotocol/server-everything": "$EVERYTHING_VERSION"
  }
}
JSON
echo "mcp-servers: installing into $home"
npm install --no-audit --no-fund --loglevel=error --save-exact >/dev/null

check() {
  local pkg="$1" want="$2" got
  got="$(node -p "require('./node_modules/$pkg/package.json').version")"
  if [ "$got" != "$want" ]; then
    echo "mcp-servers: $pkg is $got, expected $want" >&2
    exit 1
  fi
}
check @modelcontextprotocol/server-filesystem "$FILESYSTEM_VERSION"
check @modelcontextprotocol/server-everything "$EVERYTHING_VERSION"
rm -f "$home"/.installed-*
touch "$stamp"
echo "mcp-servers: ready in $home"
