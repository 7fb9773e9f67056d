"""Cycle detection between formula fields (a formula may not depend on itself, even indirectly)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """Return one dependency cycle as ``[a, b, ..., a]``, or None if the graph is acyclic.

    ``graph`` maps each formula field to the fields its formula references (the runtime builds it
    from ``CheckedFormula.references``; names must already be canonical, e.g. lower-cased).
    Referenced names that are not keys (ordinary fields) are leaves. Iterative depth-first search,
    so arbitrarily long dependency chains cannot exhaust the Python stack; nodes are visited in
    sorted order so the reported cycle is deterministic.
    """
    white, grey, black = 0, 1, 2
    color: dict[str, int] = {}
    for root in sorted(graph):
        if color.get(root, white) != white:
            continue
        color[root] = grey
        path = [root]
        stack = [iter(sorted(graph.get(root, ())))]
        while stack:
            advanced = False
            for nxt in stack[-1]:
                state = color.get(nxt, white)
                if state == grey:
                    return path[path.index(nxt):] + [nxt]
                if state == white and nxt in graph:
                    color[nxt] = grey
                    path.append(nxt)
                    stack.append(iter(sorted(graph[nxt])))
                    advanced = True
                    break
                color.setdefault(nxt, black)
            if not advanced:
                color[path.pop()] = black
                stack.pop()
    return None
