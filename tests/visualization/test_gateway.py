"""The gateway source against a scripted gateway: a skill that fails drops out of the chart."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from subgraphs.common.gateway_client import GatewayClient
from subgraphs.visualization.source.gateway import GatewaySource, GatewayUnavailable

USER = "user-1"


def skill(key: str) -> dict[str, Any]:
    return {
        "id": key,
        "slug": key,
        "name": key.title(),
        "level": "BEGINNER",
        "category": {"name": "C"},
    }


def entry(skill_node: dict[str, Any] | None) -> dict[str, Any]:
    moment = "2026-11-20T10:00:00+00:00"
    return {
        "percent": 50.0,
        "status": "IN_PROGRESS",
        "startedAt": moment,
        "updatedAt": moment,
        "completedAt": None,
        "skill": skill_node,
    }


def skill_error(index: int) -> dict[str, Any]:
    return {
        "message": "Unexpected error.",
        "path": ["user", "progress", index, "skill", "slug"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
    }


def source(answer: Any) -> tuple[GatewaySource, list[str]]:
    """A source whose gateway answers each request with `answer(operation, variables)`."""
    operations: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        operation = body["query"].split("(")[0].split()[-1]
        operations.append(operation)
        return httpx.Response(200, json=answer(operation, body["variables"]))

    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    gateway = GatewaySource(GatewayClient("http://gateway/graphql", timeout=5.0, http=http))
    return gateway, operations


async def test_a_skill_that_nulls_the_user_is_dropped_and_the_rest_drawn(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def answer(operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        if operation == "UserProgress":  # what Hive Gateway answers: the null bubbles to user
            return {"data": {"user": None}, "errors": [skill_error(0)]}
        if operation == "UserProgressIds":
            ids = [{"id": "gone"}, {"id": "kept"}]
            return {"data": {"user": {"id": USER, "progress": [entry(s) for s in ids]}}}
        assert operation == "ProgressSkills"
        return {"data": {a: skill(k) if k == "kept" else None for a, k in variables.items()}}

    gateway, operations = source(answer)
    with caplog.at_level(logging.WARNING, "skill_circle.visualization.gateway"):
        progress = await gateway.progress(USER, "token")
    assert progress is not None
    assert [e.skill.id for e in progress.entries] == ["kept"]
    assert operations == ["UserProgress", "UserProgressIds", "ProgressSkills"]
    assert any("drawing without them" in r.getMessage() for r in caplog.records)


async def test_a_partial_response_keeps_the_skills_that_resolved() -> None:
    def answer(operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        user = {"id": USER, "progress": [entry(None), entry(skill("kept"))]}
        return {"data": {"user": user}, "errors": [skill_error(0)]}

    gateway, operations = source(answer)
    progress = await gateway.progress(USER, "token")
    assert progress is not None and [e.skill.id for e in progress.entries] == ["kept"]
    assert operations == ["UserProgress"]


async def test_a_response_without_usable_data_is_gateway_unavailable() -> None:
    def answer(operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        error = {
            "message": "down",
            "path": ["user"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
        return {"data": None, "errors": [error]}

    gateway, _ = source(answer)
    with pytest.raises(GatewayUnavailable):
        await gateway.progress(USER, "token")
