"""Skill Circle subgraphs: six federated GraphQL services and their shared library."""
