"""Certificates as documents: the SVG and PDF renderers, and the public HTTP routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from subgraphs.common.auth import TokenVerifier
from subgraphs.common.settings import Settings
from subgraphs.visualization.app import create_app
from subgraphs.visualization.domain import CertificateInfo
from subgraphs.visualization.render.certificate import (
    render_certificate_pdf,
    render_certificate_svg,
)
from subgraphs.visualization.source.samples import SampleSource

from .certificates import pdf_qr_codes, pdf_text, svg_qr_codes, svg_texts
from .support import evil_name

INFO = CertificateInfo(
    learner_name="Zoë Ångström",
    skill_name="Python Testing",
    issued_at=datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
    verification_code="Abc-123_xyz",
    verify_url="https://skillcircle.example.com/certificates/Abc-123_xyz",
)


def test_svg_names_learner_skill_date_and_its_qr_code_is_the_verification_link() -> None:
    svg = render_certificate_svg(INFO)
    shown = svg_texts(svg)
    for expected in ("Zoë Ångström", "Python Testing", "Issued on 30 November 2026"):
        assert expected in shown
    assert svg_qr_codes(svg) == [INFO.verify_url]


def test_pdf_opens_with_the_same_text_and_qr_code() -> None:
    pdf = render_certificate_pdf(INFO)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in ("Zoë Ångström", "Python Testing", "Issued on 30 November 2026"):
        assert expected in text
    assert INFO.verify_url in text
    assert pdf_qr_codes(pdf) == [INFO.verify_url]


def test_hostile_names_stay_text() -> None:
    hostile = CertificateInfo(
        evil_name(), "<b>skill</b>", INFO.issued_at, "code", "https://x.example/certificates/code"
    )
    shown = svg_texts(render_certificate_svg(hostile))
    assert '<script>alert(1)</script> & "quotes" ' in shown and "<b>skill</b>" in shown
    assert "<b>skill</b>" in pdf_text(render_certificate_pdf(hostile))


@pytest.fixture
async def client(
    settings: Settings, source: SampleSource, verifier: TokenVerifier
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, source=source, verifier=verifier)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://viz") as http:
        yield http


async def test_documents_are_public_urls_carrying_the_code(client: httpx.AsyncClient) -> None:
    svg = await client.get("/certificates/sample-code.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "Ada Lovelace" in svg_texts(svg.text)
    assert svg_qr_codes(svg.text) == ["http://localhost:4000/certificates/sample-code"]
    pdf = await client.get("/certificates/sample-code.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "Ada Lovelace" in pdf_text(pdf.content)
    bad = await client.get("/certificates/not%20a%20code.pdf")
    assert bad.status_code == 404
    assert bad.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_the_supergraph_gives_document_urls_for_a_certificate(
    client: httpx.AsyncClient,
) -> None:
    representation = {"__typename": "Certificate", "id": "c1", "verificationCode": "a b/c"}
    response = await client.post(
        "/graphql",
        json={
            "query": "query($r: [_Any!]!) { _entities(representations: $r) {"
            " ... on Certificate { svgUrl pdfUrl } } }",
            "variables": {"r": [representation]},
        },
    )
    [urls] = response.json()["data"]["_entities"]
    assert urls == {
        "svgUrl": "http://localhost:4005/certificates/a%20b%2Fc.svg",
        "pdfUrl": "http://localhost:4005/certificates/a%20b%2Fc.pdf",
    }
