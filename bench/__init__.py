"""Load scenarios through the gateway: `python -m bench` (or `make bench`).

Starts its own stack (throwaway PostgreSQL, Redis, FerretDB, every subgraph in
router/supergraph.yaml, Hive Gateway), loads demo data, and runs bounded,
seeded scenarios; writes bench/results/latest.json and docs/benchmarks.md.
"""
