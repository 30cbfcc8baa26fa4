"""The roles people hold in a programme, and what each role may see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum


class Role(StrEnum):
    """A role of a person in one programme (see PROGRAMME.md, "People and roles")."""

    PARTICIPANT = "participant"  # aspirant / deelnemer, in the course
    CITYTRAINER = "citytrainer"  # certified
    SUPERVISOR = "supervisor"  # praktijkbegeleider at an organisation
    COURSE_LEADER = "course_leader"  # cursusleider
    COORDINATOR = "coordinator"  # coördinator / projectleider
    PARENT = "parent"  # ouder / voogd of a participant under 16


STAFF_ROLES: frozenset[Role] = frozenset({Role.COORDINATOR, Role.COURSE_LEADER, Role.SUPERVISOR})


def parse_roles(values: list[str] | set[str] | tuple[str, ...]) -> frozenset[Role]:
    """Known roles among `values`; unknown strings (from a newer version) are ignored."""
    known = {role.value for role in Role}
    return frozenset(Role(v) for v in values if v in known)


Grants = Mapping[int, frozenset[Role]]
"""Active roles per programme id."""


def allowed(grants: Grants, programme_id: int | None, needed: Iterable[Role]) -> bool:
    """May someone holding `grants` act, in one of the `needed` roles, on an object of
    `programme_id`? The one rule every action is authorised by: a role counts only in the
    programme it was granted in, so a coordinator of one municipality decides nothing of
    another's."""
    if programme_id is None:
        return False
    return bool(grants.get(programme_id, frozenset()) & frozenset(needed))
