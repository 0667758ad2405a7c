"""Colours: one per skill level and one per progress status (with readable tints), per theme.

Every theme keeps text readable (WCAG contrast: 4.5:1 for text on its background,
7:1 in HIGH_CONTRAST, 3:1 for strokes and bars) and never relies on colour alone:
statuses and levels are also written out in labels, legends and hover titles.
tests/visualization/test_themes.py measures the ratios.
"""

from __future__ import annotations

from dataclasses import dataclass

STATUS_LABELS = {
    "COMPLETED": "Completed",
    "IN_PROGRESS": "In progress",
    "NOT_STARTED": "Not started",
    "LOCKED": "Locked",
}


@dataclass(frozen=True)
class Palette:
    name: str
    background: str
    text: str
    muted: str  # subtitles, small print, axis labels
    levels: dict[str, tuple[str, str]]  # level -> (stroke, fill)
    statuses: dict[str, tuple[str, str]]  # status -> (stroke, fill)
    edge: str
    grid: str
    track: str  # the empty part of a progress bar
    route: str  # the roadmap's path
    accent: str  # radar shape, analytics series
    accent_fill: str
    milestone: str
    note_fill: str  # a milestone's note
    note_text: str
    # A second series beside `accent` (completions beside enrolments, ...).
    second: str = "#2e7d32"
    third: str = "#6a1b9a"

    def level(self, level: str) -> tuple[str, str]:
        return self.levels.get(level, self.levels["BEGINNER"])

    def status(self, status: str) -> tuple[str, str]:
        return self.statuses.get(status, self.statuses["NOT_STARTED"])


LIGHT = Palette(
    name="LIGHT",
    background="#ffffff",
    text="#1f2937",
    muted="#4b5563",
    levels={
        "BEGINNER": ("#2e7d32", "#e8f5e9"),
        "INTERMEDIATE": ("#1565c0", "#e3f2fd"),
        "ADVANCED": ("#6a1b9a", "#f3e5f5"),
        "EXPERT": ("#c62828", "#ffebee"),
    },
    statuses={
        "COMPLETED": ("#2e7d32", "#e8f5e9"),
        "IN_PROGRESS": ("#b34a00", "#fff3e0"),
        "NOT_STARTED": ("#616161", "#f5f5f5"),
        "LOCKED": ("#4b5563", "#e5e7eb"),
    },
    edge="#78909c",
    grid="#e5e7eb",
    track="#eef0f3",
    route="#cfd8dc",
    accent="#0d47a1",
    accent_fill="#1565c0",
    milestone="#b45309",
    note_fill="#fff8e1",
    note_text="#7c2d12",
)

DARK = Palette(
    name="DARK",
    background="#111827",
    text="#f3f4f6",
    muted="#cbd5e1",
    levels={
        "BEGINNER": ("#81c784", "#15301a"),
        "INTERMEDIATE": ("#64b5f6", "#102a43"),
        "ADVANCED": ("#ce93d8", "#2e1a38"),
        "EXPERT": ("#ef9a9a", "#3b1717"),
    },
    statuses={
        "COMPLETED": ("#81c784", "#15301a"),
        "IN_PROGRESS": ("#ffb74d", "#3a2508"),
        "NOT_STARTED": ("#b0bec5", "#1f2937"),
        "LOCKED": ("#9ca3af", "#272f3c"),
    },
    edge="#90a4ae",
    grid="#374151",
    track="#2b3544",
    route="#4b5563",
    accent="#90caf9",
    accent_fill="#42a5f5",
    milestone="#fbbf24",
    note_fill="#3a2a0a",
    note_text="#fde68a",
    second="#81c784",
    third="#ce93d8",
)

HIGH_CONTRAST = Palette(
    name="HIGH_CONTRAST",
    background="#ffffff",
    text="#000000",
    muted="#1a1a1a",
    levels={
        "BEGINNER": ("#0b5d1e", "#ffffff"),
        "INTERMEDIATE": ("#003a8c", "#ffffff"),
        "ADVANCED": ("#4a0072", "#ffffff"),
        "EXPERT": ("#8b0000", "#ffffff"),
    },
    statuses={
        "COMPLETED": ("#0b5d1e", "#ffffff"),
        "IN_PROGRESS": ("#7a3300", "#ffffff"),
        "NOT_STARTED": ("#333333", "#ffffff"),
        "LOCKED": ("#000000", "#e8e8e8"),
    },
    edge="#000000",
    grid="#595959",
    track="#a6a6a6",
    route="#595959",
    accent="#003a8c",
    accent_fill="#003a8c",
    milestone="#7a3300",
    note_fill="#ffffff",
    note_text="#000000",
    second="#0b5d1e",
    third="#4a0072",
)

THEMES = {palette.name: palette for palette in (LIGHT, DARK, HIGH_CONTRAST)}

# The light theme's colours under their historical names.
LEVEL_COLORS = LIGHT.levels
STATUS_COLORS = {s: c for s, c in LIGHT.statuses.items() if s != "LOCKED"}
EDGE, GRID, TRACK = LIGHT.edge, LIGHT.grid, LIGHT.track


def level_label(level: str) -> str:
    return level.capitalize()


def level_color(level: str) -> tuple[str, str]:
    return LIGHT.level(level)


def status_color(status: str) -> tuple[str, str]:
    return LIGHT.status(status)


def contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
