"""A certificate as a printable document: SVG (A4 landscape) and PDF, with a QR code of the
verification link. Pure functions of a CertificateInfo; no I/O but reading a font file."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import segno
from fpdf import FPDF

from ..domain import CertificateInfo
from .svgdoc import SvgDocument, add

WIDTH, HEIGHT = 1123, 794  # A4 landscape at 96 px per inch
INK, ACCENT, MUTED = "#111827", "#1d4ed8", "#4b5563"
QR_MODULE_PX = 4  # SVG: one QR module, in px
# Per line of `lines()`: baseline (px) and size, weight, colour on the SVG; top (mm) on the PDF.
SVG_ROWS = (200, 275, 365, 430, 500, 560)
SVG_STYLES = {
    "heading": (44, "700", ACCENT),
    "plain": (22, "400", MUTED),
    "name": (52, "700", INK),
    "skill": (36, "600", INK),
}
PDF_ROWS = (36, 58, 76, 98, 112, 132)
PDF_STYLES = {
    "heading": (32, (29, 78, 216)),
    "plain": (16, (75, 85, 99)),
    "name": (38, (17, 24, 39)),
    "skill": (26, (17, 24, 39)),
}
# A font with every script a learner's name may use, when the machine has one; the PDF
# falls back to Helvetica (Latin-1 only, other characters replaced) otherwise.
UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)


def issued_on(info: CertificateInfo) -> str:
    return f"{info.issued_at:%d %B %Y}".lstrip("0")


def lines(info: CertificateInfo) -> list[tuple[str, str]]:
    """(style, text) from top to bottom: the same words on SVG and PDF."""
    return [
        ("heading", "Certificate of achievement"),
        ("plain", "This certifies that"),
        ("name", info.learner_name),
        ("plain", "has demonstrated the skill"),
        ("skill", info.skill_name),
        ("plain", f"Issued on {issued_on(info)}"),
    ]


def _qr(info: CertificateInfo) -> segno.QRCode:
    return segno.make(info.verify_url, error="m", micro=False)


def render_certificate_svg(info: CertificateInfo) -> str:
    doc = SvgDocument(
        WIDTH,
        HEIGHT,
        f"Certificate: {info.learner_name}, {info.skill_name}",
        f"{info.learner_name} has demonstrated the skill {info.skill_name}; issued on"
        f" {issued_on(info)}. Verify at {info.verify_url}",
        key=info.verification_code,
    )
    root = doc.root
    add(
        root,
        "rect",
        x=24,
        y=24,
        width=WIDTH - 48,
        height=HEIGHT - 48,
        fill="none",
        stroke=ACCENT,
        stroke_width=6,
    )
    add(
        root,
        "rect",
        x=40,
        y=40,
        width=WIDTH - 80,
        height=HEIGHT - 80,
        fill="none",
        stroke=ACCENT,
        stroke_width=1.5,
    )
    for (style, text), y in zip(lines(info), SVG_ROWS, strict=True):
        size, weight, color = SVG_STYLES[style]
        add(
            root,
            "text",
            text,
            x=WIDTH / 2,
            y=y,
            text_anchor="middle",
            font_size=size,
            font_weight=weight,
            style=f"fill:{color}",
        )
    _add_qr(root, info)
    return doc.to_string()


def _add_qr(root: ET.Element, info: CertificateInfo) -> None:
    """The QR code as vector paths (crisp in print), bottom right, with its link below."""
    qr = _qr(info)
    side = qr.symbol_size(scale=QR_MODULE_PX, border=4)[0]
    x, y = WIDTH - 80 - side, HEIGHT - 110 - side
    group = add(root, "g", transform=f"translate({x},{y})", aria_hidden="true")
    add(group, "rect", width=side, height=side, fill="#ffffff")
    inline = ET.fromstring(qr.svg_inline(scale=QR_MODULE_PX, border=4, dark=INK))
    for path in (e for e in inline.iter() if e.tag.rsplit("}", 1)[-1] == "path"):
        add(group, "path", **dict(path.attrib))
    add(
        root,
        "text",
        info.verify_url,
        x=WIDTH - 80,
        y=HEIGHT - 88,
        text_anchor="end",
        font_size=11,
        fill=MUTED,
    )
    add(
        root,
        "text",
        f"Verification code {info.verification_code}",
        x=80,
        y=HEIGHT - 88,
        font_size=11,
        fill=MUTED,
    )


def render_certificate_pdf(info: CertificateInfo) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Certificate: {info.learner_name}, {info.skill_name}")
    pdf.set_creator("Skill Circle")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    family = _font(pdf)
    pdf.set_draw_color(29, 78, 216)
    pdf.set_line_width(1.6)
    pdf.rect(6, 6, 285, 198)
    pdf.set_line_width(0.4)
    pdf.rect(10.5, 10.5, 276, 189)
    for (style, text), y in zip(lines(info), PDF_ROWS, strict=True):
        size, color = PDF_STYLES[style]
        pdf.set_font(family, size=size)
        pdf.set_text_color(*color)
        pdf.set_xy(20, y)
        pdf.cell(257, size * 0.4, _printable(family, text), align="C")
    png = io.BytesIO()
    _qr(info).save(png, kind="png", scale=10, border=4, dark=INK)
    png.seek(0)
    pdf.image(png, x=297 - 22 - 42, y=210 - 30 - 42, w=42, h=42)
    pdf.set_font(family, size=8)
    pdf.set_text_color(75, 85, 99)
    pdf.set_xy(20, 210 - 26)
    pdf.cell(255, 4, _printable(family, info.verify_url), align="R")
    pdf.set_xy(22, 210 - 26)
    pdf.cell(120, 4, f"Verification code {info.verification_code}")
    return bytes(pdf.output())


def _font(pdf: FPDF) -> str:
    for path in UNICODE_FONTS:
        if path.exists():
            pdf.add_font("certificate", fname=str(path))
            return "certificate"
    return "helvetica"


def _printable(family: str, text: str) -> str:
    if family != "helvetica":
        return text
    return text.encode("latin-1", "replace").decode("latin-1")
