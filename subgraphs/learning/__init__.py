"""The learning subgraph: progress, assessments, certificates, achievements, learning paths.

Event-sourced: learner activity is appended to the learning event log (the
source of truth) and projected into read models in the same transaction.
"""
