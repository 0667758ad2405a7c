#!/usr/bin/env bash
# Export every composed subgraph's SDL from code into schema/, then compose
# schema/supergraph.graphql with @apollo/composition (fails on composition errors).
# With --check: write nothing, fail when a committed file is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
check=false
[ "${1:-}" = "--check" ] && check=true
subgraphs=$("$PY" -c 'import yaml; print(" ".join(yaml.safe_load(open("router/supergraph.yaml"))["subgraphs"]))')
stale=0
for name in $subgraphs; do
  if $check; then
    if ! diff -q <("$PY" -m "subgraphs.$name" export-schema) "schema/$name.graphql" >/dev/null; then
      echo "stale: schema/$name.graphql (run: make schema)"; stale=1
    fi
  else
    "$PY" -m "subgraphs.$name" export-schema --out "schema/$name.graphql"
  fi
done
if $check; then
  node router/compose.mjs --check || stale=1
  exit $stale
fi
node router/compose.mjs
