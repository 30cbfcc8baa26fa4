"""The layer rules in pyproject.toml hold, and `lint-imports` fails when one is broken.

Each planted violation is written into a copy of the source tree, so the real tree is never
touched; the copy is analysed by the same `lint-imports` that `make lint` runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "domain", "storage", "simulator", "tools")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy_tree(target: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _plant(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}\n")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    if not LINT_IMPORTS.exists():  # pragma: no cover - installed with the dev extras
        pytest.fail("lint-imports is not installed; run `make install`")
    _copy_tree(tmp_path)
    return tmp_path


def test_the_real_tree_keeps_every_contract(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("domain.roles", "import sqlalchemy", "domain is pure"),
        ("domain.dates", "from storage import people", "domain is pure"),
        ("storage.outbox", "from bot.kit import notify", "storage never imports the bot"),
        ("bot.app.runtime", "from bot.features.hours import feature", "bot layers"),
        ("bot.kit.keyboards", "from bot.handlers import start", "bot layers"),
        ("bot.kit.notify", "from bot.features.signup import notices", "bot layers"),
        (
            "bot.features.hours.common",
            "from bot.features.hours.conversations import log_hours",
            "no import cycles inside bot",
        ),
    ],
)
def test_a_planted_violation_fails_the_lint(
    tree: Path, module: str, line: str, contract: str
) -> None:
    _plant(tree, module, line)
    result = _lint(tree)
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
