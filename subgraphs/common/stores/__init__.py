"""The stores a subgraph owns: SQL, Redis, MongoDB, and their embedded stand-ins.

The embedded defaults (SQLite file, fakeredis, mongomock) are chosen here and
nowhere else, when no URL is configured outside production.
"""
