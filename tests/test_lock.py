"""requirements.lock is what every machine installs: it must agree with pyproject.toml and with
what is installed, or a fresh clone would run versions nobody tested.

When one of these fails, run `make lock` (it resolves pyproject.toml again) and commit the lock.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
import tomli as tomllib  # tomllib is in the standard library from Python 3.11
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def locked() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def direct() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    return [Requirement(r) for r in project["dependencies"] + extras.get("test", [])]


def test_every_direct_dependency_is_locked_within_its_bounds():
    pins = locked()
    for requirement in direct():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in requirements.lock"
        assert pins[name] in requirement.specifier, (
            f"requirements.lock pins {name}=={pins[name]}, outside pyproject.toml's "
            f"'{requirement.specifier}'"
        )


def test_every_locked_file_has_a_hash():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2]):
        if PIN.match(block):
            assert "--hash=sha256:" in block, block.splitlines()[0]


def _needs(name: str, extras: frozenset[str]) -> set[tuple[str, frozenset[str]]]:
    """What an installed distribution requires, with its extras' markers evaluated."""
    found = set()
    for line in metadata.requires(name) or []:
        requirement = Requirement(line)
        marker = requirement.marker
        if marker is None or any(
            Marker(str(marker)).evaluate({"extra": extra}) for extra in extras or {""}
        ):
            found.add((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return found


def test_the_lock_holds_exactly_what_the_dependencies_need():
    """No stale pin left behind by a removed dependency, and nothing needed that is not pinned."""
    pins = locked()
    todo = [(canonicalize_name(r.name), frozenset(r.extras)) for r in direct()]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        item = todo.pop()
        if item in seen:
            continue
        seen.add(item)
        assert item[0] in pins, f"{item[0]} is needed but not in requirements.lock"
        todo.extend(_needs(item[0], item[1]))
    needed = {name for name, _ in seen}
    stale = sorted(set(pins) - needed)
    assert not stale, f"requirements.lock pins what nothing needs: {stale}"


@pytest.mark.parametrize("name, version", sorted(locked().items()))
def test_what_is_installed_is_what_the_lock_says(name, version):
    assert metadata.version(name) == version
