"""Analytics for editors and admins: the read models' reads (reads) and their fields (schema).

The projection that writes them is journal/analytics.py, beside the learner's own.
"""

from .reads import AnalyticsReads

__all__ = ["AnalyticsReads"]
