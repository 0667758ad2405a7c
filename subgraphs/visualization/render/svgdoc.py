"""A standalone, accessible SVG document built with ElementTree (which escapes all text)."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from typing import Any

from .palette import LIGHT, Palette
from .text import text_width

SVG_NS = "http://www.w3.org/2000/svg"
MILESTONE = "#b45309"
FONT = "'Segoe UI', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"

# Characters XML 1.0 forbids even when escaped; they are dropped from any text.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

BASE_CSS = f"""
text {{ font-family: {FONT}; fill: TEXT; }}
.title {{ font-size: 18px; font-weight: 600; }}
.subtitle {{ font-size: 12px; fill: MUTED; }}
.label {{ font-size: 12px; }}
.small {{ font-size: 11px; fill: MUTED; }}
.strong {{ font-weight: 600; }}
.grow {{ transform-box: fill-box; transform-origin: left center;
  animation: sc-grow 0.9s ease-out both; }}
.fade {{ animation: sc-fade 0.9s ease-out both; }}
.since {{ transform-box: fill-box; transform-origin: left center;
  animation: sc-since 1.2s ease-in-out 0.2s both; }}
@keyframes sc-grow {{ from {{ transform: scaleX(0); }} to {{ transform: scaleX(1); }} }}
@keyframes sc-fade {{ from {{ opacity: 0; }} to {{ opacity: 1; }} }}
@keyframes sc-since {{ from {{ transform: scaleX(var(--from, 0)); }}
  to {{ transform: scaleX(1); }} }}
@media (prefers-reduced-motion: reduce) {{
  .grow, .fade, .draw, .since {{ animation: none; }}
}}
"""


def growing(percent: float, previous: float | None) -> dict[str, str]:
    """The attributes of a bar now at `percent`: it grows from nothing, or, when the
    viewer last saw `previous`, from that length (a ratio of its final length)."""
    if previous is None or percent <= 0:
        return {"class_": "grow"}
    return {
        "class_": "since",
        "style": f"--from: {previous / percent:.4f}",
        "data_from": f"{previous:g}",
        "data_to": f"{percent:g}",
    }


def clean(text: str) -> str:
    """`text` without the characters that XML cannot carry."""
    return _NOT_XML.sub("", text)


def _attrs(attrs: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in attrs.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        out[name] = clean(_number(value) if isinstance(value, float) else str(value))
    return out


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    """A child element; `class_="x"` sets class, `stroke_width=2` sets stroke-width."""
    element = ET.SubElement(parent, tag, _attrs(attrs))
    if text is not None:
        element.text = clean(text)
    return element


def tooltip(parent: ET.Element, text: str) -> None:
    """A <title> child: the text browsers show on hover and screen readers announce."""
    add(parent, "title", text)


class SvgDocument:
    """<svg> with width/height/viewBox, role="img", <title> and <desc> it is labelled by."""

    def __init__(
        self,
        width: float,
        height: float,
        title: str,
        description: str,
        key: str,
        css: str = "",
        palette: Palette = LIGHT,
    ) -> None:
        seed = key if palette is LIGHT else f"{key}:{palette.name}"
        self.uid = "sc-" + hashlib.sha1(seed.encode()).hexdigest()[:8]
        self.width, self.height = width, height
        self.palette = palette
        self.root = ET.Element(
            "svg",
            _attrs(
                {
                    "xmlns": SVG_NS,
                    "width": round(width),
                    "height": round(height),
                    "viewBox": f"0 0 {round(width)} {round(height)}",
                    "role": "img",
                    "aria-labelledby": f"{self.uid}-title {self.uid}-desc",
                    "font-family": FONT,
                }
            ),
        )
        add(self.root, "title", title, id=f"{self.uid}-title")
        add(self.root, "desc", description, id=f"{self.uid}-desc")
        colours = BASE_CSS.replace("TEXT", palette.text).replace("MUTED", palette.muted)
        add(self.root, "style", colours + css)
        self.defs = add(self.root, "defs")
        add(self.root, "rect", width="100%", height="100%", fill=palette.background)

    def id(self, name: str) -> str:
        """An id unique to this image, so that several can share one HTML page."""
        return f"{self.uid}-{name}"

    def arrow_marker(self, name: str, color: str) -> str:
        marker = add(
            self.defs,
            "marker",
            id=self.id(name),
            viewBox="0 0 10 10",
            refX=9,
            refY=5,
            markerWidth=7,
            markerHeight=7,
            orient="auto-start-reverse",
        )
        add(marker, "path", d="M 0 0 L 10 5 L 0 10 z", fill=color)
        return f"url(#{self.id(name)})"

    def to_string(self) -> str:
        body = ET.tostring(self.root, encoding="unicode", short_empty_elements=True)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def heading(doc: SvgDocument, title: str, subtitle: str, x: float = 24) -> None:
    add(doc.root, "text", title, x=x, y=32, class_="title")
    if subtitle:
        add(doc.root, "text", subtitle, x=x, y=52, class_="subtitle")


def legend(parent: ET.Element, x: float, y: float, items: list[tuple[str, str]]) -> float:
    """Colour swatches with labels in a row; returns the x after the last one."""
    for color, label in items:
        add(parent, "rect", x=x, y=y - 10, width=12, height=12, rx=3, fill=color)
        add(parent, "text", label, x=x + 17, y=y, class_="small")
        x += 17 + text_width(label, 11) + 18
    return x


def flag(parent: ET.Element, x: float, y: float, color: str = MILESTONE) -> None:
    """A milestone flag whose pole stands at (x, y + 12)."""
    add(
        parent,
        "path",
        d=f"M {x:.1f} {y + 12:.1f} V {y - 6:.1f} l 11 4 l -11 4",
        fill=color,
        stroke=color,
        stroke_width=1.6,
        stroke_linejoin="round",
    )


def empty_note(doc: SvgDocument, text: str, x: float, y: float) -> None:
    """What a chart without data says instead, centred at (x, y)."""
    add(doc.root, "text", text, x=x, y=y, text_anchor="middle", class_="small")
