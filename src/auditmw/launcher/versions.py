"""The framework versions each launcher integration supports (the extras' ranges).

A hook whose framework is older than the lower bound is not run, and says why: it would
fail (graphql-core 2 has no 3.x execution API; Graphene 2 runs on it) or audit wrongly. A
release at or past the upper bound runs, with one warning, since it was not tested.
Keep these in step with ``[project.optional-dependencies]`` in pyproject.toml and the
version matrix in noxfile.py.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

# integration -> (module the hook waits for, distribution, lowest supported, first not tested)
# Ariadne and Graphene have no integration of their own: the graphql_core row covers them
# (Graphene 2 needs graphql-core 2, below its floor).
FRAMEWORKS: dict[str, tuple[str, str, str, str]] = {
    "graphql_core": ("graphql", "graphql-core", "3.2", "3.4"),
    "starlette": ("starlette", "starlette", "0.37", "2"),
    "flask": ("flask", "flask", "3.0", "4"),
    "strawberry": ("strawberry", "strawberry-graphql", "0.278", "1"),
    "django": ("django", "django", "4.2", "6"),
}

# integrations that audit GraphQL execution as soon as their hook has run
GRAPHQL_HOOKS: dict[str, str] = {
    "graphql_core": "graphql-core execution (Ariadne, Graphene, plain graphql-core)",
    "strawberry": "Strawberry schemas",
}

_warned: set[str] = set()


def parse(text: str) -> tuple[int, ...]:
    """The leading numeric release of a version string: ``"3.2.0rc1"`` -> ``(3, 2, 0)``."""
    parts: list[int] = []
    for piece in text.split("."):
        digits = ""
        for char in piece:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
    return tuple(parts)


def installed_version(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def unsupported(integration: str) -> str | None:
    """Why ``integration`` must not run against the installed framework, or ``None``."""
    spec = FRAMEWORKS.get(integration)
    if spec is None:
        return None
    _module, dist, low, high = spec
    found = installed_version(dist)
    if found is None:
        return None  # importable without metadata (vendored): let the hook try
    if parse(found) < parse(low):
        return (f"{dist} {found} is not supported (auditmw needs {dist}>={low},<{high}): "
                f"not audited through it; pip install -U \"{dist}>={low}\"")
    if parse(found) >= parse(high) and integration not in _warned:
        import sys

        _warned.add(integration)
        sys.stderr.write(f"auditmw: {dist} {found} is newer than auditmw was tested with "
                         f"(<{high}); auditing it anyway\n")
    return None
