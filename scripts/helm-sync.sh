#!/usr/bin/env bash
# Copies the committed supergraph, router configs and alert rules into the Helm chart (read by .Files.Get).
set -euo pipefail
cd "$(dirname "$0")/.."
files=deploy/helm/skill-circle/files
cp schema/supergraph.graphql router/hive-router.yaml router/router.yaml router/router.licensed.yaml \
  deploy/prometheus/skill-circle.rules.yml "$files/"
