#!/usr/bin/env bash
# Builds oha (open-loop HTTP load at a fixed arrival rate, latency corrected for
# coordinated omission) from crates.io into the tool cache, once:
#   $SKILL_CIRCLE_CACHE_DIR/cargo/oha-<version>/bin/oha  (default ~/.cache/skill-circle)
# Pinned version, --locked (its own Cargo.lock), default features (rustls: oha 1.16
# does not compile without a TLS feature, although the bench targets plain HTTP on
# 127.0.0.1). Prints the binary's path.
set -euo pipefail

version="1.16.0"  # rust-version 1.88: builds with this machine's rustc 1.95
cache="${SKILL_CIRCLE_CACHE_DIR:-$HOME/.cache/skill-circle}"
root="$cache/cargo/oha-$version"
if [[ ! -x "$root/bin/oha" ]]; then
  command -v cargo >/dev/null || { echo "build-oha: cargo is required to build oha" >&2; exit 1; }
  echo "build-oha: building oha $version with cargo (several minutes, once)" >&2
  cargo install oha --version "$version" --locked --root "$root" >&2
fi
echo "$root/bin/oha"
