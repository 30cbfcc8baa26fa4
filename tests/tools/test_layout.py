"""The layout keeps its promises: one name per feature in every layer, nothing loose in bot/.

See docs/architecture.md. Together with the import contracts (`make lint`) this keeps the
structure from drifting back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.features import all_features

ROOT = Path(__file__).resolve().parents[2]
FEATURES = sorted(f.name for f in all_features() if f.name != "question")
LAYERS = (
    "bot/features/{name}/__init__.py",
    "bot/features/{name}/feature.py",
    "storage/{name}/__init__.py",
    "domain/{name}/__init__.py",
    "tests/{name}",
    "locales/nl/LC_MESSAGES/{name}.po",
)


def _python_files(*packages: str) -> list[Path]:
    return [
        path
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    ]


@pytest.mark.parametrize("name", FEATURES)
def test_a_feature_has_its_name_in_every_layer(name: str) -> None:
    missing = [
        layer.format(name=name) for layer in LAYERS if not (ROOT / layer.format(name=name)).exists()
    ]
    assert not missing, f"feature {name!r} lacks {missing}"


def test_every_feature_package_is_registered() -> None:
    packages = {p.parent.name for p in (ROOT / "bot" / "features").glob("*/feature.py")}
    assert packages == set(FEATURES)


def test_the_bot_root_holds_only_its_entry_points_and_packages() -> None:
    loose = sorted(
        p.name
        for p in (ROOT / "bot").iterdir()
        if p.is_file() and p.name not in {"__init__.py", "__main__.py"}
    )
    assert loose == []


def test_no_feature_is_looked_up_at_run_time() -> None:
    probe = re.compile(r"\bimportlib\b|\bimport_module\(|\bhasattr\(|__import__\(")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _python_files("bot", "storage", "domain")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if probe.search(line)
    ]
    assert found == []


def test_only_the_outbox_module_writes_outbox_rows() -> None:
    """Quiet hours and idempotency live in `storage.outbox.enqueue_many`; a feature that built
    its own insert (as nazorg once did) could skip them."""
    writes = re.compile(r"OutboxMessage\(|OutboxMessage\.__table__|insert\(OutboxMessage")
    allowed = {ROOT / "storage/outbox.py", ROOT / "storage/models.py"}
    found = [
        str(path.relative_to(ROOT))
        for path in _python_files("bot", "storage", "domain")
        if path not in allowed and writes.search(path.read_text())
    ]
    assert found == []


def test_roles_are_granted_only_through_grant_role() -> None:
    """`people.grant_role` refuses a programme other than the person's own (issue 11)."""
    found = [
        str(path.relative_to(ROOT))
        for path in _python_files("bot", "storage", "domain")
        if path.relative_to(ROOT).as_posix() not in {"storage/people.py", "storage/models.py"}
        and re.search(r"RoleGrant\(", path.read_text())
    ]
    assert found == []


def test_role_queries_count_grants_only_in_their_persons_programme() -> None:
    """A query of active roles uses `people.active_grant()` (a grant counts only in its
    person's own programme, issue 11). A bare `revoked_at IS NULL` is allowed only here:"""
    allowed = {
        "storage/people.py": "defines active_grant; refuses grants elsewhere",
        "storage/outbox.py": "joins Person and compares the programme itself",
        "storage/signup/privacy.py": "deletion revokes every grant, wherever it is",
        "bot/features/signup/conversations/consent.py": "no participant anywhere may consent",
    }
    found = [
        str(path.relative_to(ROOT))
        for path in _python_files("bot", "storage", "domain")
        if path.relative_to(ROOT).as_posix() not in allowed
        and "RoleGrant.revoked_at.is_(None)" in path.read_text()
    ]
    assert found == []
