"""Text measurement and wrapping (no font engine: widths of DejaVu Sans, the widest fallback)."""

from __future__ import annotations

# Advance widths in em of DejaVu Sans; anything else counts as a wide letter.
_NARROW = set("il.,:;'|!Ijtfr()[] ")
_WIDE = set("mwMW@%")
_UPPER_EM, _LOWER_EM, _NARROW_EM, _WIDE_EM = 0.70, 0.60, 0.34, 0.92


def text_width(text: str, size: float, bold: bool = False) -> float:
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += _NARROW_EM
        elif char in _WIDE:
            em += _WIDE_EM
        elif char.isupper() or char.isdigit():
            em += _UPPER_EM if char.isupper() else 0.64
        else:
            em += _LOWER_EM
    return em * size * (1.06 if bold else 1.0)


def wrap(
    text: str, size: float, max_width: float, max_lines: int = 2, bold: bool = False
) -> list[str]:
    """`text` in at most `max_lines` lines of at most `max_width`; the last ellipsized."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if text_width(candidate, size, bold) <= max_width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return [ellipsize(line, size, max_width, bold) for line in lines]


def ellipsize(text: str, size: float, max_width: float, bold: bool = False) -> str:
    if text_width(text, size, bold) <= max_width:
        return text
    while text and text_width(text + "…", size, bold) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"
