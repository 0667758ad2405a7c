"""The shape of every subgraph folder: the same core files with the same meaning.

Core files are in all six; the optional ones only where the subgraph has that
concern; anything else is one of the concept modules listed here per subgraph, so
a new top-level module is a decision someone makes in this file, not by accident.
Read from the source tree (ast), without importing the subgraphs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SUBGRAPHS = Path(__file__).resolve().parents[2] / "subgraphs"

CORE = {
    "__init__.py",
    "__main__.py",  # python -m subgraphs.<name>
    "app.py",  # wiring only: common.app.create_app(...)
    "deps.py",  # Deps dataclass + build(settings, platform) -> Deps
    "schema.py",  # Query / Mutation / Subscription
    "types.py",  # Strawberry object types, entity stubs, Info
    "service.py",  # use cases
    "loaders.py",  # DataLoaders of the subgraph's entities
    "personal_data.py",  # what it holds about a user: inventory, export, erasure
}
OPTIONAL = {
    "store.py",  # persistence
    "events.py",  # events it emits and handles
    "inputs.py",  # Strawberry inputs -> checked domain values
    "domain.py",  # plain values and rules, no I/O
    "settings.py",  # its own settings, a subclass of common.settings.Settings
    "migrations",  # Alembic (SQL subgraphs)
}
# Concepts of a subgraph's own: a module, a folder, or a data file it ships.
CONCEPTS = {
    "users": {
        "admin.py",
        "deletion.py",
        "deletion_store.py",
        "passwords.py",
        "ratelimit.py",
        "tokens.py",
    },
    "skills": {
        "category_store.py",
        "roadmap_store.py",
        "roadmaps.py",
        "graph.py",
        "read_model.py",
        "demo.py",
        "demo_catalog.json",
    },
    "learning": {"analytics", "courses.py", "journal", "roadmaps.py", "skills.py", "tables.py"},
    "content": {
        "demo.py",
        "demo_content.json",
        "documents.py",
        "rendering.py",
        "search.py",
        "skills.py",
        "versioned.py",
    },
    "notifications": {
        "channels",
        "directory.py",
        "message_templates",  # rendering, admins' edits: catalogue, store, checks, use cases
        "notifier.py",
        "queue.py",
        "routes.py",  # plain HTTP: the one-click unsubscribe page (like visualization's)
        "sms_numbers.py",  # verification codes of SMS numbers
        "templates",
        "unsubscribe.py",  # signed unsubscribe links
    },
    "visualization": {
        "cache.py",
        "render",
        "routes.py",
        "source",
        "visualizations.py",  # the use case behind visualization(spec:)
        "pictures.py",  # the GraphQL types of its answer (SVG and layout data)
        "seen.py",  # the percents last shown to each learner (charts since the last visit)
    },
}


def entries(name: str) -> set[str]:
    return {
        path.name
        for path in (SUBGRAPHS / name).iterdir()
        if path.name != "__pycache__" and not path.name.startswith(".")
    }


def top_level_names(path: Path) -> set[str]:
    """Classes, functions and assigned names defined at the top of a module."""
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def test_the_six_subgraphs_are_the_ones_listed() -> None:
    folders = {p.name for p in SUBGRAPHS.iterdir() if (p / "__init__.py").exists()}
    assert folders == {"common", *CONCEPTS}


@pytest.mark.parametrize("name", sorted(CONCEPTS))
def test_every_core_file_is_there(name: str) -> None:
    assert CORE - entries(name) == set(), f"{name} lacks core files"


@pytest.mark.parametrize("name", sorted(CONCEPTS))
def test_no_unexpected_top_level_module(name: str) -> None:
    unexpected = entries(name) - CORE - OPTIONAL - CONCEPTS[name]
    assert unexpected == set(), f"{name}: add to CORE/OPTIONAL/CONCEPTS or move: {unexpected}"
    gone = CONCEPTS[name] - entries(name)
    assert gone == set(), f"{name}: listed here but not in the folder: {gone}"


@pytest.mark.parametrize("name", sorted(CONCEPTS))
def test_core_files_mean_the_same_in_every_subgraph(name: str) -> None:
    folder = SUBGRAPHS / name
    assert {"Deps", "build"} <= top_level_names(folder / "deps.py")
    assert "create_app" in top_level_names(folder / "app.py")
    assert "build_schema" in top_level_names(folder / "schema.py")
    assert {"Info"} <= top_level_names(folder / "types.py")
    assert "loaders_for" in top_level_names(folder / "loaders.py")
    assert "INVENTORY" in top_level_names(folder / "personal_data.py")
    schema_classes = {
        node.name
        for node in ast.parse((folder / "schema.py").read_text()).body
        if isinstance(node, ast.ClassDef)
    }
    assert schema_classes <= {"Query", "Mutation", "Subscription"}, schema_classes


@pytest.mark.parametrize("name", sorted(CONCEPTS))
def test_no_empty_placeholder_modules(name: str) -> None:
    for path in (SUBGRAPHS / name).rglob("*.py"):
        if path.name == "__init__.py" or "migrations" in path.parts:
            continue
        body = [n for n in ast.parse(path.read_text()).body if not isinstance(n, ast.Expr)]
        imports = (ast.Import, ast.ImportFrom)
        assert any(not isinstance(n, imports) for n in body), f"{path} defines nothing"
