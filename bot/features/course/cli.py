"""`citytrainers-bot course import FILE --group ID`: a group's sessions from a CSV or YAML file.

CSV: a header line `kind,date,time,duration_minutes,location,bring` and one session a line.
YAML: a list of mappings with the same keys (or `{sessions: [...]}`). All-or-nothing: every
problem is reported with its line and nothing is written unless the whole file is right.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from typing import Any

import yaml

from bot.kit.config import Settings
from domain.course.plan_import import ImportedSession, LineError, RowProblem, parse_plan
from storage import migrate
from storage.course import queries as course
from storage.db import create_engine, create_session_factory

EXPLAIN = {
    RowProblem.KIND: "unknown kind {value!r}: use meeting, follow_up_day or presentation",
    RowProblem.DATE: "{value!r} is not a date: use dd-mm-yyyy or yyyy-mm-dd",
    RowProblem.TIME: "{value!r} is not a time: use HH:MM (24 hours)",
    RowProblem.DURATION: "duration {value!r}: use minutes between 15 and 720",
    RowProblem.NONEXISTENT_TIME: "{value} does not exist (clocks go forward): pick another time",
    RowProblem.AMBIGUOUS_TIME: "{value} happens twice (clocks go back): pick another time",
    RowProblem.TOO_LONG: "a text starting {value!r} is longer than 200 characters",
    RowProblem.EMPTY: "the file has no sessions",
}


def add_parser(sub: Any) -> None:
    group = sub.add_parser("course", help="course planning", description="Course planning.")
    course_sub = group.add_subparsers(dest="course_command", required=True, metavar="COMMAND")
    imp = course_sub.add_parser(
        "import",
        help="import a group's sessions from a CSV or YAML file (all or nothing)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--group", type=int, required=True, metavar="ID", help="the group's id")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="replace sessions the group already has (those without attendance)",
    )


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        data = yaml.safe_load(text) or []
        if isinstance(data, dict):
            data = data.get("sessions") or []
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise ValueError("expected a list of sessions (mappings with kind, date, time, ...)")
        return [(i + 1, {str(k): str(v) for k, v in item.items()}) for i, item in enumerate(data)]
    reader = csv.DictReader(io.StringIO(text))
    return [(reader.line_num, {k: v or "" for k, v in row.items() if k}) for row in reader]


def describe(error: LineError) -> str:
    return f"line {error.line}: " + EXPLAIN[error.problem].format(value=error.value)


async def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        rows = read_rows(args.file)
    except (OSError, ValueError, yaml.YAMLError, csv.Error) as exc:
        print(f"cannot read {args.file}: {exc}")
        return 1
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        async with create_session_factory(engine).begin() as session:
            cohort = await course.get_cohort(session, args.group)
            if cohort is None:
                print(f"there is no group {args.group}")
                return 1
            plan = parse_plan(rows, settings.zone)
            errors = [e for e in plan if isinstance(e, LineError)]
            if errors:
                for error in errors:
                    print(describe(error))
                print(f"nothing imported: {len(errors)} problem(s)")
                return 1
            existing = await course.sessions_of(session, cohort.id)
            if existing and not args.replace:
                print(f"group {cohort.id} already has {len(existing)} sessions; use --replace")
                return 1
            sessions = [entry for entry in plan if isinstance(entry, ImportedSession)]
            count = await course.replace_sessions(session, cohort, sessions)
    finally:
        await engine.dispose()
    print(f"imported {count} sessions into group {args.group} ({cohort.name})")
    return 0
