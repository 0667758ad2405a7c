"""Checks and normalisation of what editors send; failures name the offending field."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..common.errors import BadUserInput

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LEVELS = ("BEGINNER", "INTERMEDIATE", "ADVANCED", "EXPERT")
MAX_SLUG = 80
MAX_NAME = 120
MAX_TITLE = 200
MAX_LABEL = 200
MAX_DESCRIPTION = 5000
MAX_TAGS = 20
MAX_TAG = 40
MAX_SEARCH = 200
MAX_ROADMAP_STEPS = 200


def clean_slug(value: str, field: str = "slug") -> str:
    slug = value.strip()
    if not SLUG.match(slug) or len(slug) > MAX_SLUG:
        raise BadUserInput(
            field, f"{field} must be kebab-case (a-z, 0-9, single hyphens), at most {MAX_SLUG}"
        )
    return slug


def clean_text(value: str, field: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise BadUserInput(field, f"{field} must not be empty")
    if len(text) > limit:
        raise BadUserInput(field, f"{field} must be at most {limit} characters")
    return text


def clean_optional_text(value: str, field: str, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise BadUserInput(field, f"{field} must be at most {limit} characters")
    return text


def clean_tags(values: Sequence[str] | None) -> list[str]:
    """Lower-case, trimmed, without repeats, in the given order."""
    tags = list(dict.fromkeys(v.strip().lower() for v in values or ()))
    if any(not tag or len(tag) > MAX_TAG for tag in tags):
        raise BadUserInput("tags", f"tags must be 1 to {MAX_TAG} characters")
    if len(tags) > MAX_TAGS:
        raise BadUserInput("tags", f"at most {MAX_TAGS} tags")
    return tags


def clean_level(value: str) -> str:
    if value not in LEVELS:
        raise BadUserInput("level", f"level must be one of {', '.join(LEVELS)}")
    return value


def clean_search(value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_SEARCH:
        raise BadUserInput("search", f"search must be at most {MAX_SEARCH} characters")
    return text or None


def clean_roadmap_slugs(values: Sequence[str]) -> list[str]:
    slugs = [v.strip() for v in values]
    if not slugs:
        raise BadUserInput("skillSlugs", "a roadmap needs at least one skill")
    if len(slugs) > MAX_ROADMAP_STEPS:
        raise BadUserInput("skillSlugs", f"a roadmap has at most {MAX_ROADMAP_STEPS} skills")
    repeated = sorted({s for s in slugs if slugs.count(s) > 1})
    if repeated:
        raise BadUserInput("skillSlugs", "skills listed more than once: " + ", ".join(repeated))
    return slugs
