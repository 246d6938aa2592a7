#!/usr/bin/env bash
# Installs the language server that sdk-agents' lsp toolset tests talk to (typescript-language-server and the
# TypeScript it serves), from the npm registry, at pinned versions, under ~/.cache/keel/lsp (override with
# KEEL_LSP_HOME). Idempotent: a second run with the same pins does nothing. npm verifies each tarball against
# the registry's integrity hash, and the script then checks the installed versions. Prints a clear message and
# exits non-zero when node/npm are missing.
set -euo pipefail

# typescript-language-server 6 needs Node.js 22.22; 5.3.0 is the newest that runs on Node.js 20.
TSLS_VERSION="5.3.0"
TYPESCRIPT_VERSION="5.9.3"

source "$(dirname "${BASH_SOURCE[0]}")/npm-pinned.sh"
npm_pinned language-servers "${KEEL_LSP_HOME:-$HOME/.cache/keel/lsp}" keel-lsp-test-servers \
  typescript-language-server "$TSLS_VERSION" \
  typescript "$TYPESCRIPT_VERSION"
