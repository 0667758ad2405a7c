"""Checks of a rendered certificate with real readers: XML parser, PDF reader, QR decoder."""

from __future__ import annotations

import io

import cairosvg
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from .support import parse_svg, texts


def svg_texts(svg: str) -> list[str]:
    """The text elements of the document (fails unless it parses as SVG)."""
    return texts(parse_svg(svg))


def svg_qr_codes(svg: str) -> list[str]:
    """What the QR codes in the SVG say, read from the document rasterized by cairo."""
    png = cairosvg.svg2png(bytestring=svg.encode(), scale=1.0)
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def pdf_qr_codes(pdf: bytes) -> list[str]:
    """What the QR codes in the PDF's images say."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    found = []
    for image in page.images:
        found += [r.text for r in zxingcpp.read_barcodes(image.image)]
    return found
