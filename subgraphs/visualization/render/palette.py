"""Colours: one per skill level and one per progress status (with readable tints)."""

from __future__ import annotations

LEVEL_COLORS = {
    "BEGINNER": ("#2e7d32", "#e8f5e9"),
    "INTERMEDIATE": ("#1565c0", "#e3f2fd"),
    "ADVANCED": ("#6a1b9a", "#f3e5f5"),
    "EXPERT": ("#c62828", "#ffebee"),
}
STATUS_COLORS = {
    "COMPLETED": ("#2e7d32", "#e8f5e9"),
    "IN_PROGRESS": ("#ef6c00", "#fff3e0"),
    "NOT_STARTED": ("#9e9e9e", "#f5f5f5"),
}
STATUS_LABELS = {
    "COMPLETED": "Completed",
    "IN_PROGRESS": "In progress",
    "NOT_STARTED": "Not started",
}
EDGE = "#90a4ae"
GRID = "#e5e7eb"
TRACK = "#eef0f3"


def level_label(level: str) -> str:
    return level.capitalize()


def level_color(level: str) -> tuple[str, str]:
    return LEVEL_COLORS.get(level, LEVEL_COLORS["BEGINNER"])


def status_color(status: str) -> tuple[str, str]:
    return STATUS_COLORS.get(status, STATUS_COLORS["NOT_STARTED"])
