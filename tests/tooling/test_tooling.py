"""Tests of the supergraph tooling in router/: composition, contract check,
breaking-change check. Plain `node` subprocesses, no network, no services."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parent.parent
ROUTER = REPO / "router"

HAVE_NODE_DEPS = (REPO / "node_modules" / "@apollo" / "composition").is_dir()
pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not HAVE_NODE_DEPS,
    reason="needs node and `npm ci` (node_modules/@apollo/composition)",
)


def node(script: str, *args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(ROUTER / script), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


@pytest.fixture
def valid(tmp_path: Path) -> Path:
    """A writable copy of the two-subgraph fixture (users + skills)."""
    dest = tmp_path / "valid"
    shutil.copytree(FIXTURES / "valid", dest)
    return dest


def compose(config_dir: Path, out: Path) -> None:
    result = node("compose.mjs", "--config", config_dir / "supergraph.yaml", "--out", out)
    assert result.returncode == 0, output(result)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


# (a) ------------------------------------------------------------------ compose


def test_compose_writes_supergraph_with_both_subgraphs(valid: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "supergraph.graphql"
    result = node("compose.mjs", "--config", valid / "supergraph.yaml", "--out", out)
    assert result.returncode == 0, output(result)
    sdl = out.read_text()
    assert sdl.endswith("\n")
    assert "enum join__Graph {" in sdl
    assert 'USERS @join__graph(name: "users", url: "http://localhost:4001/graphql")' in sdl
    assert 'SKILLS @join__graph(name: "skills", url: "http://localhost:4002/graphql")' in sdl
    # The entity User is merged from both subgraphs.
    assert "skills: [Skill!]! @join__field(graph: SKILLS)" in sdl


def test_compose_rejects_newer_federation_link_than_pinned(valid: Path, tmp_path: Path) -> None:
    edit(valid / "supergraph.yaml", "=2.11.0", "=2.9.0")
    result = node(
        "compose.mjs", "--config", valid / "supergraph.yaml", "--out", tmp_path / "s.graphql"
    )
    assert result.returncode == 2
    assert "federation/v2.11" in output(result)
    assert "=2.9.0" in output(result)


def test_compose_reports_missing_sdl_file(valid: Path, tmp_path: Path) -> None:
    (valid / "skills.graphql").unlink()
    result = node(
        "compose.mjs", "--config", valid / "supergraph.yaml", "--out", tmp_path / "s.graphql"
    )
    assert result.returncode == 2
    assert "skills.graphql does not exist" in output(result)
    assert not (tmp_path / "s.graphql").exists()


# (b) ------------------------------------------------------------- conflicts


def test_compose_fails_on_conflicting_field_types(tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    result = node(
        "compose.mjs", "--config", FIXTURES / "conflict" / "supergraph.yaml", "--out", out
    )
    assert result.returncode == 1, output(result)
    text = output(result)
    assert "composition failed" in text
    assert "[FIELD_TYPE_MISMATCH]" in text
    assert '"Profile.level"' in text
    assert "[INVALID_FIELD_SHARING]" in text
    assert not out.exists()


def test_compose_fails_on_inconsistent_descriptions(valid: Path, tmp_path: Path) -> None:
    """A field several subgraphs define must have one description (composition picks one)."""
    edit(valid / "users.graphql", "  id: ID!\n  displayName", '  """A"""\n  id: ID!\n  displayName')
    edit(valid / "skills.graphql", "  id: ID!\n  skills:", '  """B"""\n  id: ID!\n  skills:')
    out = tmp_path / "supergraph.graphql"
    result = node("compose.mjs", "--config", valid / "supergraph.yaml", "--out", out)
    assert result.returncode == 1, output(result)
    assert "[INCONSISTENT_DESCRIPTION]" in output(result)
    assert '"User.id"' in output(result)
    assert not out.exists()

    edit(valid / "skills.graphql", '"""B"""', '"""A"""')
    compose(valid, out)


# (c) -------------------------------------------------------------- contract


def contract_check(supergraph: Path) -> subprocess.CompletedProcess[str]:
    return node(
        "contract-check.mjs",
        "--contract",
        FIXTURES / "contract.graphql",
        "--supergraph",
        supergraph,
    )


def test_contract_check_passes_when_everything_is_there(valid: Path, tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    compose(valid, out)
    result = contract_check(out)
    assert result.returncode == 0, output(result)
    # users + skills are implemented; notifications is not and is not checked.
    assert "items checked across users, skills; 0 problems" in result.stdout
    assert "Notification" not in output(result)


def test_contract_check_only_checks_implemented_sections(valid: Path, tmp_path: Path) -> None:
    edit(
        valid / "supergraph.yaml",
        "  skills:\n"
        "    routing_url: http://localhost:4002/graphql\n"
        "    schema:\n"
        "      file: ./skills.graphql\n",
        "",
    )
    out = tmp_path / "supergraph.graphql"
    compose(valid, out)
    result = contract_check(out)
    assert result.returncode == 0, output(result)
    assert "items checked across users; 0 problems" in result.stdout


def test_contract_check_names_a_removed_field(valid: Path, tmp_path: Path) -> None:
    edit(valid / "skills.graphql", "  name: String!\n", "")
    out = tmp_path / "supergraph.graphql"
    compose(valid, out)
    result = contract_check(out)
    assert result.returncode == 1, output(result)
    assert "[skills] Skill.name: missing field" in result.stdout
    assert "1 problem" in result.stdout


def test_contract_check_names_a_changed_type(valid: Path, tmp_path: Path) -> None:
    edit(valid / "users.graphql", "  displayName: String!\n", "  displayName: String\n")
    out = tmp_path / "supergraph.graphql"
    compose(valid, out)
    result = contract_check(out)
    assert result.returncode == 1, output(result)
    assert "[users] User.displayName: type is String but the contract says String!" in result.stdout


def test_contract_check_argument_type_and_default(valid: Path, tmp_path: Path) -> None:
    edit(valid / "skills.graphql", "treeSvg(depth: Int! = 3)", "treeSvg(depth: Int = 2)")
    out = tmp_path / "supergraph.graphql"
    compose(valid, out)
    result = contract_check(out)
    assert result.returncode == 1, output(result)
    assert "Skill.treeSvg(depth:): type is Int but the contract says Int!" in result.stdout
    assert "Skill.treeSvg(depth:): default value is 2 but the contract says 3" in result.stdout


def test_contract_check_missing_enum_value_and_extension_field(valid: Path, tmp_path: Path) -> None:
    edit(valid / "users.graphql", "  ADMIN\n", "")
    edit(valid / "skills.graphql", "  skills: [Skill!]!\n", "  skillCount: Int!\n")
    out = tmp_path / "supergraph.graphql"
    compose(valid, out)
    result = contract_check(out)
    assert result.returncode == 1, output(result)
    assert "[users] Role.ADMIN: missing enum value" in result.stdout
    assert "[skills] User.skills: missing field" in result.stdout


def test_contract_check_reads_contract_path_from_env(valid: Path, tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    compose(valid, out)
    result = subprocess.run(
        ["node", str(ROUTER / "contract-check.mjs"), "--supergraph", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SKILL_CIRCLE_CONTRACT": str(FIXTURES / "contract.graphql")},
    )
    assert result.returncode == 0, output(result)
    assert "across users, skills; 0 problems" in result.stdout


def test_committed_contract_is_the_default_and_passes(tmp_path: Path) -> None:
    # No --contract: the copy committed in schema/ is checked against the committed
    # supergraph; a missing upstream file (a plain clone) is a note, not a failure.
    result = node("contract-check.mjs", "--upstream", tmp_path / "absent.graphql")
    assert result.returncode == 0, output(result)
    assert "not present; checking the committed schema/contract.graphql only" in result.stdout
    assert "0 problems" in result.stdout


def test_committed_contract_must_equal_the_upstream_copy(tmp_path: Path) -> None:
    upstream = tmp_path / "CONTRACT.graphql"
    committed = (REPO / "schema" / "contract.graphql").read_text()
    upstream.write_text(committed)
    same = node("contract-check.mjs", "--upstream", upstream)
    assert same.returncode == 0, output(same)
    assert "is identical to" in same.stdout

    upstream.write_text(
        committed + "\n# ---------------------------------------------------------------- later\n"
    )
    differs = node("contract-check.mjs", "--upstream", upstream)
    assert differs.returncode == 1, output(differs)
    assert "schema/contract.graphql differs from" in differs.stdout


# The IDE's example collection (router/ide-collection.mjs) against the committed API schema.
VALIDATE_COLLECTION = """
import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import federationInternals from '@apollo/federation-internals';
import { FIRST_SESSION, ideCollections } from './router/ide-collection.mjs';
const sdl = readFileSync('schema/supergraph.graphql', 'utf8');
const api = federationInternals.Supergraph.build(sdl, { supportedFeatures: null })
  .apiSchema().toGraphQLJSSchema();
const report = FIRST_SESSION.operations.map((op) => ({
  name: op.name,
  kind: parse(op.query).definitions[0].operation,
  errors: validate(api, parse(op.query)).map((e) => e.message),
  variables: JSON.parse(op.variables),
  headers: JSON.parse(op.headers),
}));
console.log(JSON.stringify({
  report,
  development: (ideCollections('development') ?? []).length,
  production: ideCollections('production') ?? null,
  unset: ideCollections(undefined) ?? null,
}));
"""


def test_ide_collection_is_valid_against_the_api_schema_and_development_only() -> None:
    result = subprocess.run(
        ["node", "--input-type=module", "-e", VALIDATE_COLLECTION],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, output(result)
    seen = json.loads(result.stdout)
    assert seen["development"] == 1
    assert seen["production"] is None and seen["unset"] is None
    report = seen["report"]
    for operation in report:
        assert operation["errors"] == [], operation
    kinds = {operation["name"]: operation["kind"] for operation in report}
    assert kinds["1. Register"] == kinds["2. Log in"] == "mutation"
    assert kinds["3. Learner dashboard"] == kinds["4. Catalog page"] == "query"
    assert "subscription" in kinds.values()
    # After logging in, the token travels in the Authorization header.
    authorized = [o for o in report if "Authorization" in o["headers"]]
    assert {o["name"] for o in authorized} >= {"3. Learner dashboard", "6. Live: my progress"}
    assert all(o["headers"]["Authorization"].startswith("Bearer ") for o in authorized)


# (d) -------------------------------------------------------------- breaking


BaseAndChanged = tuple[Path, Path]


@pytest.fixture
def base_and_changed(valid: Path, tmp_path: Path) -> BaseAndChanged:
    base = tmp_path / "base.graphql"
    compose(valid, base)
    edit(valid / "skills.graphql", "  name: String!\n", "")
    changed = tmp_path / "changed.graphql"
    compose(valid, changed)
    return base, changed


def breaking_check(*args: str | Path) -> subprocess.CompletedProcess[str]:
    # --allow-file pointing nowhere keeps the repo's allow list out of the tests.
    return node("breaking-check.mjs", "--allow-file", "/nonexistent/allowed.txt", *args)


def test_breaking_check_fails_on_removed_field(base_and_changed: BaseAndChanged) -> None:
    base, changed = base_and_changed
    result = breaking_check("--base-file", base, "--supergraph", changed)
    assert result.returncode == 1, output(result)
    assert "Skill.name: [FIELD_REMOVED] Skill.name was removed." in result.stdout


def test_breaking_check_passes_when_allowed(base_and_changed: BaseAndChanged) -> None:
    base, changed = base_and_changed
    result = breaking_check(
        "--base-file", base, "--supergraph", changed, "--allow", "Query.x,Skill.name"
    )
    assert result.returncode == 0, output(result)
    assert "allowed by Skill.name" in result.stdout
    assert "note: allowed coordinate Query.x matches no breaking change" in result.stdout


def test_breaking_check_reads_allow_file(base_and_changed: BaseAndChanged, tmp_path: Path) -> None:
    base, changed = base_and_changed
    allow = tmp_path / "allowed.txt"
    allow.write_text("# removed on purpose, see ADR 7\nSkill.name   # the lead said so\n")
    result = node(
        "breaking-check.mjs", "--base-file", base, "--supergraph", changed, "--allow-file", allow
    )
    assert result.returncode == 0, output(result)


def test_breaking_check_no_change_and_additions_pass(valid: Path, tmp_path: Path) -> None:
    base = tmp_path / "base.graphql"
    compose(valid, base)
    edit(valid / "skills.graphql", "  name: String!\n", "  name: String!\n  slug: String\n")
    changed = tmp_path / "changed.graphql"
    compose(valid, changed)
    result = breaking_check("--base-file", base, "--supergraph", changed)
    assert result.returncode == 0, output(result)
    assert "0 unallowed breaking changes" in result.stdout


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_breaking_check_against_git_ref(base_and_changed: BaseAndChanged, tmp_path: Path) -> None:
    base, changed = base_and_changed
    repo = tmp_path / "repo"
    (repo / "schema").mkdir(parents=True)
    git(repo, "init", "-q")
    target = repo / "schema" / "supergraph.graphql"
    # Nothing committed yet.
    shutil.copy(base, target)
    result = breaking_check("--supergraph", target)
    assert result.returncode == 0, output(result)
    assert "no committed supergraph to compare with" in result.stdout

    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    shutil.copy(changed, target)
    result = breaking_check("--supergraph", target, "--base-ref", "HEAD")
    assert result.returncode == 1, output(result)
    assert "Skill.name was removed" in result.stdout
    assert "HEAD:schema/supergraph.graphql" in result.stdout

    result = breaking_check("--supergraph", target, "--base-ref", "no-such-ref")
    assert result.returncode == 2
    assert "no-such-ref not found" in output(result)


# (e) ----------------------------------------------------------------- --check


def test_check_detects_stale_and_missing_output(valid: Path, tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    config = valid / "supergraph.yaml"
    result = node("compose.mjs", "--config", config, "--out", out, "--check")
    assert result.returncode == 1
    assert "is missing" in output(result)
    assert not out.exists()

    compose(valid, out)
    result = node("compose.mjs", "--config", config, "--out", out, "--check")
    assert result.returncode == 0, output(result)
    assert "up to date" in result.stdout

    edit(valid / "skills.graphql", "  name: String!\n", "  name: String!\n  slug: String\n")
    before = out.read_text()
    result = node("compose.mjs", "--config", config, "--out", out, "--check")
    assert result.returncode == 1
    text = output(result)
    assert "is stale" in text
    assert f"node router/compose.mjs --config {config} --out {out}" in text
    assert out.read_text() == before  # --check never writes


# (f) ------------------------------------------------------------ schema lint


@pytest.fixture
def described(tmp_path: Path) -> Path:
    """A writable copy of a small client schema where everything is described."""
    dest = tmp_path / "api.graphql"
    shutil.copy(FIXTURES / "lint" / "described.graphql", dest)
    return dest


def test_schema_lint_passes_a_fully_described_schema(described: Path) -> None:
    result = node("schema-lint.mjs", "--schema", described)
    assert result.returncode == 0, output(result)
    assert "clean" in result.stdout


@pytest.mark.parametrize(
    ("description", "rule", "named"),
    [
        ('"""Display name."""\n  name: String!\n\n  """How', "fields-have", "`Skill.name`"),
        ('"""Skill id."""', "arguments-have", "`id`"),
        ('"""No experience needed."""', "enum-values-have", "`Level.BEGINNER`"),
        ('"""How advanced it is."""', "input-object-values-have", "`SkillInput.level`"),
        ('"""A new skill."""', "types-have", "`SkillInput`"),
    ],
)
def test_schema_lint_fails_on_a_missing_description(
    described: Path, description: str, rule: str, named: str
) -> None:
    # Remove the first triple-quoted description of `description`, nothing else.
    edit(described, description, description.split('"""', 2)[2])
    result = node("schema-lint.mjs", "--schema", described)
    assert result.returncode == 1, output(result)
    text = output(result)
    assert f"{rule}-descriptions" in text
    assert named in text
    assert "1 finding(s)" in text


def test_schema_lint_checks_the_api_schema_of_a_supergraph(valid: Path, tmp_path: Path) -> None:
    """Through --supergraph it lints what clients see: no federation internals."""
    out = tmp_path / "supergraph.graphql"
    compose(valid, out)
    result = node("schema-lint.mjs", "--supergraph", out)
    assert result.returncode == 1, output(result)
    text = output(result)
    assert "The field `User.displayName` is missing a description." in text
    assert "_entities" not in text and "join__" not in text and "link__" not in text
