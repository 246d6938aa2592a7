#!/usr/bin/env bash
# Shared by the setup scripts that install npm-published test servers: installs exact versions of npm packages
# into one folder, idempotently (a stamp file names the pins; a second run with the same pins does nothing),
# and checks the installed versions afterwards. npm verifies each tarball against the registry's integrity hash.
#
# usage (sourced): npm_pinned LABEL HOME PACKAGE-NAME PACKAGE VERSION [PACKAGE VERSION ...]
npm_pinned() {
  local label="$1" home="$2" name="$3"
  shift 3
  local pins=("$@") i deps="" stamp="$home/.installed"
  for ((i = 0; i < ${#pins[@]}; i += 2)); do
    stamp="$stamp-${pins[i+1]}"
  done

  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "$label: node and npm are required to install the test servers (apt-get install nodejs npm)" >&2
    exit 1
  fi

  local installed=yes
  [ -f "$stamp" ] || installed=no
  for ((i = 0; i < ${#pins[@]}; i += 2)); do
    [ -f "$home/node_modules/${pins[i]}/package.json" ] || installed=no
  done
  if [ "$installed" = yes ]; then
    echo "$label: already installed in $home"
    return 0
  fi

  for ((i = 0; i < ${#pins[@]}; i += 2)); do
    deps="$deps${deps:+,}
    \"${pins[i]}\": \"${pins[i+1]}\""
  done
  mkdir -p "$home"
  cat > "$home/package.json" <<JSON
{
  "name": "$name",
  "private": true,
  "dependencies": {$deps
  }
}
JSON
  echo "$label: installing into $home"
  (cd "$home" && npm install --no-audit --no-fund --loglevel=error --save-exact >/dev/null)

  local got
  for ((i = 0; i < ${#pins[@]}; i += 2)); do
    got="$(cd "$home" && node -p "require('./node_modules/${pins[i]}/package.json').version")"
    if [ "$got" != "${pins[i+1]}" ]; then
      echo "$label: ${pins[i]} is $got, expected ${pins[i+1]}" >&2
      exit 1
    fi
  done
  rm -f "$home"/.installed-*
  touch "$stamp"
  echo "$label: ready in $home"
}
