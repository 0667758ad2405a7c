#!/usr/bin/env bash
# Installs what the project needs to run: uv + the locked Python deps, the locked Node deps.
# Idempotent; safe to run on every start. Works on a fresh Debian machine with python3,
# node and npm (installs them with apt-get when missing and run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    [ -n "${SC_APT_UPDATED:-}" ] || { apt-get update -qq; export SC_APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "missing: $* (install them, or run as root to let this script apt-get them)" >&2
    exit 1
  fi
}

command -v python3 >/dev/null || apt_install python3 python3-pip python3-venv
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm

if ! command -v uv >/dev/null; then
  python3 -m pip install --quiet --user "uv==0.13.9" 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages --user "uv==0.13.9"
  export PATH="$HOME/.local/bin:$PATH"
fi

uv sync --frozen --quiet "$@"
if [ ! -d node_modules/@graphql-hive/gateway ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
