"""The prerequisite graph: walks (one batched `$in` query per level) and orderings.

Edges run from a skill to the skills it requires. The walks run in Python
because FerretDB has no `$graphLookup`; each level of a walk costs one query
whatever its width.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Protocol

from .store import GraphNode, valid_ids


class GraphSource(Protocol):
    async def graph_nodes(self, ids: Sequence[str]) -> list[GraphNode]: ...

    async def dependent_nodes(self, ids: Sequence[str]) -> list[GraphNode]: ...


async def prerequisite_closure(source: GraphSource, start: Sequence[str]) -> dict[str, GraphNode]:
    """`start` and everything it requires, transitively, by id."""
    found: dict[str, GraphNode] = {}
    asked: set[str] = set()
    frontier = valid_ids(start)
    while frontier:
        asked.update(frontier)
        nodes = await source.graph_nodes(frontier)
        found.update((node.id, node) for node in nodes)
        wanted = (p for node in nodes for p in node.prerequisite_ids)
        frontier = [p for p in dict.fromkeys(wanted) if p not in asked]
    return found


async def dependents_closure(source: GraphSource, start: Sequence[str]) -> set[str]:
    """The ids of every skill that requires one of `start`, transitively."""
    found: set[str] = set()
    frontier = valid_ids(start)
    while frontier:
        nodes = await source.dependent_nodes(frontier)
        fresh = [node.id for node in nodes if node.id not in found]
        found.update(fresh)
        frontier = list(dict.fromkeys(fresh))
    return found


async def requirement_path(
    source: GraphSource, start: GraphNode, target: GraphNode
) -> list[GraphNode] | None:
    """A shortest chain start -> ... -> target along "requires" edges, or None."""
    if start.id == target.id:
        return [start]
    came_from: dict[str, GraphNode] = {}
    nodes = {start.id: start, target.id: target}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for required in node.prerequisite_ids:
                if required not in came_from and required != start.id:
                    came_from[required] = node
                    following.append(required)
        if target.id in came_from:
            path = [target]
            while path[-1].id != start.id:
                path.append(came_from[path[-1].id])
            return path[::-1]
        loaded = await source.graph_nodes([i for i in following if i not in nodes])
        nodes.update((node.id, node) for node in loaded)
        frontier = [nodes[i] for i in following if i in nodes]
    return None


def order_by_prerequisites(members: Sequence[str], graph: Mapping[str, GraphNode]) -> list[str]:
    """`members` ordered so that each comes after every member it requires.

    "Requires" is transitive through the whole graph (also through skills
    that are not members). Ties keep the given order: Kahn's algorithm taking
    the earliest-given available member first. `graph` must hold the
    prerequisite closure of `members`.
    """
    position = {member: index for index, member in enumerate(members)}
    required = _required_members(members, graph, set(position))
    waiting_on = {member: len(required[member]) for member in members}
    unlocks: dict[str, list[str]] = {member: [] for member in members}
    for member in members:
        for prerequisite in required[member]:
            unlocks[prerequisite].append(member)
    ready = [position[m] for m in members if waiting_on[m] == 0]
    heapq.heapify(ready)
    ordered: list[str] = []
    while ready:
        member = members[heapq.heappop(ready)]
        ordered.append(member)
        for dependent in unlocks[member]:
            waiting_on[dependent] -= 1
            if waiting_on[dependent] == 0:
                heapq.heappush(ready, position[dependent])
    if len(ordered) != len(members):  # only if the stored graph has a cycle
        raise ValueError("prerequisite graph has a cycle")
    return ordered


def _required_members(
    members: Sequence[str], graph: Mapping[str, GraphNode], member_set: set[str]
) -> dict[str, set[str]]:
    """For each node reachable from `members`: the members it requires, transitively."""
    reach: dict[str, set[str]] = {}
    entered: set[str] = set()
    for root in members:
        # Iterative post-order DFS: a node's set is built after its prerequisites'.
        stack: list[tuple[str, bool]] = [(root, False)]
        while stack:
            node_id, expanded = stack.pop()
            if node_id in reach:
                continue
            node = graph.get(node_id)
            prerequisites = node.prerequisite_ids if node else ()
            if not expanded:
                if node_id in entered:  # a cycle in stored data: cut it here
                    continue
                entered.add(node_id)
                stack.append((node_id, True))
                stack.extend((p, False) for p in prerequisites if p not in reach)
                continue
            found: set[str] = set()
            for p in prerequisites:
                found |= reach.get(p, set())
                if p in member_set:
                    found.add(p)
            reach[node_id] = found
    return {member: reach[member] for member in members}
