#!/usr/bin/env python
"""Render the visualization samples in docs/img/ from the demo catalog, without any server.

    .venv/bin/python scripts/render_samples.py [--out docs/img] [--keep-svg]

Calls the renderers directly on the demo catalog (subgraphs/skills/demo_catalog.json),
a sample learner's progress and fixed sample analytics
(subgraphs/visualization/source/sample_analytics.py), in the light theme and, for two of
them, the dark and high-contrast ones, then converts each SVG to PNG with a real SVG
renderer: `rsvg-convert` (Debian: apt-get install librsvg2-bin) or, failing that,
the `cairosvg` Python package.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from subgraphs.visualization.domain import (  # noqa: E402
    CertificateInfo,
    ChartKind,
    ChartPeriod,
    DateRange,
    UserProgress,
)
from subgraphs.visualization.render import (  # noqa: E402
    render_progress_chart,
    render_roadmap,
    render_skill_tree,
    render_user_roadmap,
)
from subgraphs.visualization.render.analytics import (  # noqa: E402
    render_active_learners,
    render_cohorts,
    render_missed_questions,
    render_skill_funnel,
)
from subgraphs.visualization.render.certificate import (  # noqa: E402
    render_certificate_pdf,
    render_certificate_svg,
)
from subgraphs.visualization.render.palette import DARK, HIGH_CONTRAST  # noqa: E402
from subgraphs.visualization.source.sample_analytics import (  # noqa: E402
    sample_active,
    sample_cohorts,
    sample_skill_stats,
)
from subgraphs.visualization.source.samples import SAMPLE_ROADMAP, SampleSource  # noqa: E402

TREE_SKILL, TREE_DEPTH = "nlp-transformers", 4


def samples() -> dict[str, str]:
    source = SampleSource()
    progress = source.sample_progress()
    roadmap = source.roadmap_info(SAMPLE_ROADMAP)
    assert roadmap is not None
    return {
        "skill-tree": render_skill_tree(source.graph(TREE_SKILL, TREE_DEPTH)),
        "roadmap": render_roadmap(roadmap),
        "user-roadmap": render_user_roadmap(roadmap, progress),
        "progress-bar": render_progress_chart(progress, ChartKind.BAR),
        "progress-radar": render_progress_chart(progress, ChartKind.RADAR),
        "progress-timeline": render_progress_chart(progress, ChartKind.TIMELINE),
        "certificate": render_certificate_svg(sample_certificate()),
        # The themes: the same drawings in DARK and HIGH_CONTRAST.
        "user-roadmap-dark": render_user_roadmap(roadmap, progress, DARK),
        "skill-tree-high-contrast": render_skill_tree(
            source.graph(TREE_SKILL, TREE_DEPTH), progress, HIGH_CONTRAST
        ),
        # The progress chart since the last visit (its final frame; the bars move in a browser).
        "progress-since-last-visit": render_progress_chart(
            progress, ChartKind.BAR, seen=seen_before(progress)
        ),
        **analytics_samples(source),
    }


# Kept as SVG beside the PNG: the documents themselves (the certificate, the newer charts).
KEEP_SVG = {
    "certificate",
    "user-roadmap-dark",
    "skill-tree-high-contrast",
    "progress-since-last-visit",
    "analytics-active-learners",
    "analytics-skill-funnel",
    "analytics-missed-questions",
    "analytics-cohorts",
    "analytics-cohorts-dark",
}
# What the sample learner was shown at their previous visit, where it differs from now.
EARLIER = {"postgresql": 40.0, "fastapi": 10.0, "docker": 0.0, "python-testing": 80.0}


def seen_before(progress: UserProgress) -> dict[str, float]:
    return {e.skill.id: EARLIER.get(e.skill.id, e.percent) for e in progress.entries}


def analytics_samples(source: SampleSource) -> dict[str, str]:
    skill = source.skills["python-testing"]
    stats = sample_skill_stats(skill.id, skill.name)
    days = DateRange()
    return {
        "analytics-active-learners": render_active_learners(
            sample_active(ChartPeriod.DAY, days), ChartPeriod.DAY
        ),
        "analytics-skill-funnel": render_skill_funnel(stats),
        "analytics-missed-questions": render_missed_questions(stats),
        "analytics-cohorts": render_cohorts(sample_cohorts(days)),
        "analytics-cohorts-dark": render_cohorts(sample_cohorts(days), DARK),
    }


def sample_certificate() -> CertificateInfo:
    code = "sample-8Fq2Lx0Tz7"
    return CertificateInfo(
        learner_name="Ada Lovelace",
        skill_name="Python Testing",
        issued_at=datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
        verification_code=code,
        verify_url=f"https://skillcircle.example.com/certificates/{code}",
    )


def to_png(svg_path: Path, png_path: Path) -> None:
    if shutil.which("rsvg-convert"):
        subprocess.run(
            ["rsvg-convert", "--zoom", "1.5", str(svg_path), "-o", str(png_path)], check=True
        )
        return
    try:
        import cairosvg  # type: ignore[import-not-found]
    except ImportError:
        sys.exit("needs rsvg-convert (apt-get install librsvg2-bin) or cairosvg")
    cairosvg.svg2png(url=str(svg_path), write_to=str(png_path), scale=1.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    parser.add_argument("--keep-svg", action="store_true", help="also keep the SVG files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, svg in samples().items():
        svg_path = args.out / f"{name}.svg"
        svg_path.write_text(svg, encoding="utf-8")
        to_png(svg_path, args.out / f"{name}.png")
        if not (args.keep_svg or name in KEEP_SVG):
            svg_path.unlink()
        print(f"wrote {args.out / name}.png")
    (args.out / "certificate.pdf").write_bytes(render_certificate_pdf(sample_certificate()))
    print(f"wrote {args.out / 'certificate.pdf'}")


if __name__ == "__main__":
    main()
