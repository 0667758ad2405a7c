"""The one shared library of the Skill Circle subgraphs.

settings, app factory, auth (JWKS, permissions), errors, events,
DataLoaders, pagination, health/metrics/logging: written once, used by all six.
"""
