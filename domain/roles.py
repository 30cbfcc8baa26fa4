"""The roles people hold in a programme, and what each role may see."""

from __future__ import annotations

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
