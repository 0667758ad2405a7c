#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite. `.ci/run` calls exactly this.
#   - PostgreSQL and Redis from Debian packages (the tests start throwaway servers
#     from these binaries; never your own databases),
#   - FerretDB 1.24.2, Helm and kubeconform built from pinned Go modules,
#   - the locked Python and Node dependencies,
# then: ruff, mypy --strict, import rules, schema staleness, contract, schema lint and breaking-change
# checks, pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/users -x).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.local/bin:$PATH"

packages=()
command -v redis-server >/dev/null || packages+=(redis-server)
command -v chromium >/dev/null || packages+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql)
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing ${packages[*]} from Debian packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

scripts/setup.sh
tests/infra/build-tools.sh
scripts/helm-sync.sh

echo "== ruff";   .venv/bin/ruff check subgraphs tests scripts $(ls -d bench 2>/dev/null)
.venv/bin/ruff format --check subgraphs tests scripts $(ls -d bench 2>/dev/null)
echo "== mypy";   .venv/bin/mypy subgraphs   # strict: [tool.mypy] in pyproject.toml
echo "== architecture"; .venv/bin/lint-imports   # [tool.importlinter] in pyproject.toml
echo "== schema"; scripts/schema.sh --check
echo "== contract"; node router/contract-check.mjs
echo "== schema lint"; node router/schema-lint.mjs   # every type, field, argument, enum value described
echo "== breaking changes"
if git diff --quiet HEAD -- schema/supergraph.graphql 2>/dev/null && git rev-parse -q --verify HEAD~1 >/dev/null; then
  node router/breaking-check.mjs --base-ref HEAD~1   # a clean checkout: check the last commit's change
else
  node router/breaking-check.mjs --base-ref HEAD     # a working tree: check what is not committed yet
fi
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
