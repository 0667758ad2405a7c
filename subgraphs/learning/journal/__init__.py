"""The learning journal: the event log of each learner and the read models projected from it.

log: one learner's transaction appends events and projects them (per-learner lock);
projections: the read models as functions of the log, live and on rebuild.
"""

from .log import Clock, Journal
from .projections import Projector

__all__ = ["Clock", "Journal", "Projector"]
