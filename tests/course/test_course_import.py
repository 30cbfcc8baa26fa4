"""Importing a group's sessions from CSV or YAML: all or nothing, problems per line."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from domain.course.plan_import import ImportedSession, LineError, RowProblem, parse_plan
from domain.course.rules import CourseTrack, SessionKind
from storage import migrate
from storage.course.models import Cohort, CourseSession
from storage.db import create_engine, create_session_factory
from storage.models import Programme

ROOT = Path(__file__).resolve().parents[2]


def rows(*items: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    return [(i + 2, item) for i, item in enumerate(items)]


def test_a_plan_is_numbered_per_kind_in_time_order():
    plan = parse_plan(
        rows(
            {"kind": "terugkomdag", "date": "2027-02-06", "time": "10:00"},
            {"kind": "meeting", "date": "12-01-2027", "time": "19:00", "location": "Wijkhuis"},
            {
                "kind": "bijeenkomst",
                "date": "05-01-2027",
                "time": "19:00",
                "duration_minutes": "120",
            },
        )
    )
    assert all(isinstance(p, ImportedSession) for p in plan)
    sessions = [p for p in plan if isinstance(p, ImportedSession)]
    assert [(s.kind, s.seq) for s in sessions] == [
        (SessionKind.MEETING, 1),
        (SessionKind.MEETING, 2),
        (SessionKind.FOLLOW_UP_DAY, 1),
    ]
    assert sessions[0].starts_at == dt.datetime(2027, 1, 5, 18, 0, tzinfo=dt.UTC)
    assert sessions[0].duration_minutes == 120 and sessions[1].duration_minutes == 150
    assert sessions[1].location == "Wijkhuis"


def test_every_problem_is_reported_with_its_line_and_nothing_is_planned():
    plan = parse_plan(
        rows(
            {"kind": "feest", "date": "31-02-2027", "time": "25:00"},
            {"kind": "meeting", "date": "28-03-2027", "time": "02:30"},  # clocks go forward
            {"kind": "meeting", "date": "31-10-2027", "time": "02:30"},  # clocks go back
            {"kind": "meeting", "date": "01-04-2027", "time": "19:00", "duration_minutes": "5"},
        )
    )
    assert all(isinstance(p, LineError) for p in plan)
    found = {(e.line, e.problem) for e in plan if isinstance(e, LineError)}
    assert found == {
        (2, RowProblem.KIND),
        (2, RowProblem.DATE),
        (2, RowProblem.TIME),
        (3, RowProblem.NONEXISTENT_TIME),
        (4, RowProblem.AMBIGUOUS_TIME),
        (5, RowProblem.DURATION),
    }
    assert parse_plan([]) == [LineError(1, RowProblem.EMPTY, "")]


async def test_the_cli_imports_all_or_nothing(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    engine = create_engine(url)
    await migrate.upgrade(engine)
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    async with create_session_factory(engine).begin() as session:
        programme = Programme(
            name="Breda", timezone="Europe/Amsterdam", settings={}, created_at=now
        )
        session.add(programme)
        await session.flush()
        cohort = Cohort(
            programme_id=programme.id,
            name="Groep A",
            track=CourseTrack.SPORT,
            capacity=15,
            location="Sporthal",
            created_at=now,
        )
        session.add(cohort)
        await session.flush()
        group_id = cohort.id

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
        return subprocess.run(
            [sys.executable, "-m", "bot", "course", "import", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    bad = tmp_path / "bad.csv"
    bad.write_text("kind,date,time\nmeeting,05-01-2027,19:00\nmeeting,30-02-2027,19:00\n")
    done = cli(str(bad), "--group", str(group_id))
    assert done.returncode == 1
    assert "line 3: '30-02-2027' is not a date" in done.stdout and "nothing imported" in done.stdout

    good = tmp_path / "plan.yaml"
    good.write_text(
        "sessions:\n"
        "  - {kind: meeting, date: 05-01-2027, time: '19:00', bring: sportkleding}\n"
        "  - {kind: presentatie, date: 2027-03-20, time: '19:30', location: Theater}\n"
    )
    done = cli(str(good), "--group", str(group_id))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "imported 2 sessions" in done.stdout
    again = cli(str(good), "--group", str(group_id))
    assert again.returncode == 1 and "--replace" in again.stdout
    assert cli(str(good), "--group", str(group_id), "--replace").returncode == 0
    async with create_session_factory(engine)() as session:
        stored = list(
            await session.scalars(
                select(CourseSession)
                .where(CourseSession.cohort_id == group_id)
                .order_by(CourseSession.starts_at)
            )
        )
    await engine.dispose()
    assert [(s.kind, s.location, s.bring) for s in stored] == [
        (SessionKind.MEETING, "Sporthal", "sportkleding"),
        (SessionKind.PRESENTATION, "Theater", None),
    ]
