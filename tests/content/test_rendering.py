"""Article HTML: real Markdown, and nothing executable survives, whatever the input."""

from __future__ import annotations

import html
import re

import pytest

from subgraphs.content.rendering import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=x OnErRoR=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    "<body onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1) )",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">raw</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">entities</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">hex entities</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="data:text/html,<script>alert(1)</script>">data</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<svg onload=alert(1)></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<details open ontoggle="alert(1)"><summary>s</summary>t</details>',
    '<p title="x" onmouseover="alert(1)">hover</p>',
    "```\n</code></pre><script>alert(1)</script>\n```",
    '```"><img src=x onerror=alert(1)>\ncode\n```',
    "<!-- <script>alert(1)</script> -->",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<a href="vbscript:msgbox(1)">vb</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]

EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
URL_ATTRIBUTE = re.compile(r'\s(?:href|src|action|formaction|xlink:href)\s*=\s*"([^"]*)"', re.I)
DANGEROUS_TAGS = re.compile(
    r"<\s*/?\s*(script|style|svg|math|iframe|object|embed|form|meta|base|link|body)\b", re.I
)


@pytest.mark.parametrize("markdown", HOSTILE)
def test_hostile_markdown_comes_back_harmless(markdown: str) -> None:
    rendered = render_markdown(markdown)
    assert not DANGEROUS_TAGS.search(rendered), rendered
    assert not EVENT_HANDLER.search(rendered), rendered
    assert "style=" not in rendered.lower()
    for url in URL_ATTRIBUTE.findall(rendered):
        decoded = html.unescape(url).strip().lower()
        assert decoded.startswith(("http://", "https://", "mailto:", "/", "#")) or (
            ":" not in decoded.split("/")[0]
        ), rendered


def test_escaped_text_stays_text() -> None:
    rendered = render_markdown("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert "&lt;script&gt;" in rendered


def test_markdown_is_really_rendered() -> None:
    rendered = render_markdown(
        "# Title\n\nSome **bold** and *em* text with [a link](https://example.com).\n\n"
        "```python\nprint('hi')\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n"
    )
    assert "<h1>Title</h1>" in rendered
    assert "<strong>bold</strong>" in rendered and "<em>em</em>" in rendered
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">a link</a>' in rendered
    assert '<code class="language-python">' in rendered
    assert "<table>" in rendered and "<td>1</td>" in rendered
    assert "<li>one</li>" in rendered


def test_harmless_raw_html_is_kept_and_code_classes_are_filtered() -> None:
    assert "<kbd>Ctrl</kbd>" in render_markdown("Press <kbd>Ctrl</kbd>")
    rendered = render_markdown('<code class="evil x">x</code>')
    assert "class" not in rendered
