# Shortcuts; the scripts are the source of truth (README).
.PHONY: dev test schema setup bench lint helm-sync

dev:        ## install everything and run the supergraph on embedded defaults
	scripts/dev.sh
test:       ## install what the tests need and run the whole suite (CI runs this)
	scripts/test.sh
setup:
	scripts/setup.sh
schema:     ## export every subgraph's SDL and compose schema/supergraph.graphql
	scripts/schema.sh
lint:
	.venv/bin/ruff check subgraphs tests scripts bench && .venv/bin/ruff format --check subgraphs tests scripts bench \
		&& .venv/bin/mypy subgraphs && .venv/bin/lint-imports
bench:      ## load scenarios through the gateway; prints figures and ratios
	.venv/bin/python -m bench
helm-sync:  ## copy the supergraph, router configs and alert rules into the Helm chart's files/
	scripts/helm-sync.sh
