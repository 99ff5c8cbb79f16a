"""`make run` installs requirements.txt only: everything the site imports must be in it."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE_PACKAGES = [
    "core",
    "accounts",
    "patients",
    "readings",
    "treatments",
    "reports",
    "integrations",
    "clinic",
    "bgt",
]


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirements: str) -> set[str]:
    """Distribution names pinned in a requirements file (its own lines, not -r includes)."""
    names = set()
    for line in (ROOT / requirements).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_normalize(re.split(r"[=<>!~\[; ]", line, maxsplit=1)[0]))
    return names


def imported_modules(folders: list[str]) -> dict[str, Path]:
    """Top-level third-party modules imported outside tests, each with a file importing it."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "tests" in path.relative_to(ROOT).parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.partition(".")[0]
                    if top not in sys.stdlib_module_names and top not in SITE_PACKAGES:
                        found.setdefault(top, path.relative_to(ROOT))
    return found


def unpinned(folders: list[str], runtime: set[str]) -> dict[str, str]:
    distributions = packages_distributions()
    return {
        module: str(path)
        for module, path in imported_modules(folders).items()
        if not {_normalize(name) for name in distributions.get(module, [module])} & runtime
    }


def test_every_module_the_site_imports_is_pinned_in_requirements_txt():
    assert unpinned(SITE_PACKAGES, pinned("requirements.txt")) == {}


def test_a_module_pinned_only_for_tests_is_reported():
    # numpy was once pinned in requirements-dev.txt only: `make test` passed, `make run` broke.
    runtime = pinned("requirements.txt") - {"numpy"}
    assert set(unpinned(["readings"], runtime)) == {"numpy"}
