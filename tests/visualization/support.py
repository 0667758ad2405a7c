"""Shared helpers of the visualization tests: parse SVG safely, find things in it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from defusedxml.ElementTree import fromstring

NS = "{http://www.w3.org/2000/svg}"


def parse_svg(svg: str) -> ET.Element:
    """The <svg> root; fails unless `svg` is well-formed XML of the SVG namespace."""
    root = fromstring(svg.encode())
    assert root.tag == f"{NS}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def all_text(root: ET.Element) -> str:
    return " ".join(root.itertext())


def evil_name() -> str:
    return '<script>alert(1)</script> & "quotes" \x01'
