"""Validate the hand-curated demo catalog of the skills subgraph."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

CATALOG_PATH = Path(__file__).resolve().parents[2] / "subgraphs/skills/demo_catalog.json"

LEVELS = ["BEGINNER", "INTERMEDIATE", "ADVANCED", "EXPERT"]
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def catalog() -> dict:
    with CATALOG_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def skills_by_slug(catalog: dict) -> dict:
    return {skill["slug"]: skill for skill in catalog["skills"]}


def _duplicates(values: list) -> list:
    return sorted(v for v, n in Counter(values).items() if n > 1)


def test_top_level_shape(catalog: dict) -> None:
    assert set(catalog) == {"categories", "skills", "roadmaps"}
    for category in catalog["categories"]:
        assert set(category) == {"slug", "name", "parentSlug"}
    for skill in catalog["skills"]:
        assert set(skill) == {
            "slug",
            "name",
            "description",
            "level",
            "categorySlug",
            "tags",
            "prerequisites",
        }
    for roadmap in catalog["roadmaps"]:
        assert set(roadmap) == {"slug", "title", "description", "skillSlugs", "milestones"}


def test_counts(catalog: dict) -> None:
    assert len(catalog["skills"]) >= 80
    assert len(catalog["categories"]) >= 10
    assert len(catalog["roadmaps"]) >= 6


def test_slugs_unique_and_kebab_case(catalog: dict) -> None:
    for key in ("categories", "skills", "roadmaps"):
        slugs = [item["slug"] for item in catalog[key]]
        assert not _duplicates(slugs), f"duplicate {key} slugs: {_duplicates(slugs)}"
        bad = [s for s in slugs if not SLUG_RE.match(s)]
        assert not bad, f"non-kebab-case {key} slugs: {bad}"


def test_category_tree(catalog: dict) -> None:
    seen: set[str] = set()
    for category in catalog["categories"]:
        assert category["name"].strip()
        parent = category["parentSlug"]
        # Parents must be listed before their children, which also rules out cycles.
        assert parent is None or parent in seen, (
            f"{category['slug']}: parent {parent!r} must be listed earlier"
        )
        seen.add(category["slug"])
    assert any(c["parentSlug"] is not None for c in catalog["categories"]), "no subcategories"


def test_skill_fields_and_references(catalog: dict, skills_by_slug: dict) -> None:
    category_slugs = {c["slug"] for c in catalog["categories"]}
    for skill in catalog["skills"]:
        slug = skill["slug"]
        assert skill["name"].strip(), slug
        assert len(skill["description"].strip()) >= 20, slug
        assert skill["level"] in LEVEL_RANK, f"{slug}: bad level {skill['level']!r}"
        assert skill["categorySlug"] in category_slugs, f"{slug}: unknown category"
        tags = skill["tags"]
        assert 2 <= len(tags) <= 5, f"{slug}: needs 2-5 tags"
        assert all(t == t.lower() and t.strip() for t in tags), f"{slug}: tags must be lowercase"
        assert not _duplicates(tags), f"{slug}: duplicate tags"
        prereqs = skill["prerequisites"]
        assert not _duplicates(prereqs), f"{slug}: duplicate prerequisites"
        assert slug not in prereqs, f"{slug}: depends on itself"
        missing = [p for p in prereqs if p not in skills_by_slug]
        assert not missing, f"{slug}: unknown prerequisites {missing}"


def test_prerequisite_graph_is_acyclic(skills_by_slug: dict) -> None:
    # Kahn's algorithm: edges run prerequisite -> dependent.
    in_degree = {slug: len(s["prerequisites"]) for slug, s in skills_by_slug.items()}
    dependents: dict[str, list[str]] = {slug: [] for slug in skills_by_slug}
    for slug, skill in skills_by_slug.items():
        for prereq in skill["prerequisites"]:
            dependents[prereq].append(slug)
    queue = [slug for slug, degree in in_degree.items() if degree == 0]
    visited = 0
    while queue:
        node = queue.pop()
        visited += 1
        for dependent in dependents[node]:
            in_degree[dependent] -= 1
            if in_degree[dependent] == 0:
                queue.append(dependent)
    stuck = sorted(slug for slug, degree in in_degree.items() if degree > 0)
    assert visited == len(skills_by_slug), f"prerequisite cycle among: {stuck}"


def test_levels_monotone_along_prerequisites(skills_by_slug: dict) -> None:
    violations = [
        f"{prereq} ({skills_by_slug[prereq]['level']}) -> {slug} ({skill['level']})"
        for slug, skill in skills_by_slug.items()
        for prereq in skill["prerequisites"]
        if LEVEL_RANK[skills_by_slug[prereq]["level"]] > LEVEL_RANK[skill["level"]]
    ]
    assert not violations, "prerequisite harder than dependent: " + "; ".join(violations)


def test_roadmaps(catalog: dict, skills_by_slug: dict) -> None:
    for roadmap in catalog["roadmaps"]:
        slug = roadmap["slug"]
        assert roadmap["title"].strip() and roadmap["description"].strip(), slug
        order = roadmap["skillSlugs"]
        assert 8 <= len(order) <= 15, f"{slug}: needs 8-15 skills, has {len(order)}"
        assert not _duplicates(order), f"{slug}: duplicate skills {_duplicates(order)}"
        missing = [s for s in order if s not in skills_by_slug]
        assert not missing, f"{slug}: unknown skills {missing}"

        position = {s: i for i, s in enumerate(order)}
        for i, skill_slug in enumerate(order):
            for prereq in skills_by_slug[skill_slug]["prerequisites"]:
                if prereq in position:
                    assert position[prereq] < i, f"{slug}: {prereq} must come before {skill_slug}"

        milestones = roadmap["milestones"]
        assert isinstance(milestones, dict) and milestones, f"{slug}: needs milestones"
        for key, label in milestones.items():
            assert key in position, f"{slug}: milestone {key!r} not in roadmap"
            assert isinstance(label, str) and label.strip(), f"{slug}: empty milestone label"
