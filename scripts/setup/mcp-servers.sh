#!/usr/bin/env bash
# Installs the MCP servers that sdk-agents' tests talk to, from the npm registry, at pinned versions,
# under ~/.cache/keel/mcp (override with KEEL_MCP_HOME). Idempotent: a second run with the same pins
# does nothing. npm verifies each tarball against the registry's integrity hash, and the script then
# checks the installed versions. Prints a clear message and exits non-zero when node/npm are missing.
set -euo pipefail

FILESYSTEM_VERSION="2026.8.31"
EVERYTHING_VERSION="2026.8.31"

source "$(dirname "${BASH_SOURCE[0]}")/npm-pinned.sh"
npm_pinned mcp-servers "${KEEL_MCP_HOME:-$HOME/.cache/keel/mcp}" keel-mcp-test-servers \
  @modelcontextprotocol/server-filesystem "$FILESYSTEM_VERSION" \
  @modelcontextprotocol/server-everything "$EVERYTHING_VERSION"
