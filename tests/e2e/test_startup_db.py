"""Start-up with the database unreachable (issue 12): the bot retries with backoff, one clear
line per attempt, and gives up after DB_CONNECT_TIMEOUT_SECONDS with one line and exit code 1;
`db upgrade` and `admin` say so in one line. No traceback, never the password."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from bot.app import cli
from bot.features import all_features
from tests.e2e.test_process import bot_env, read_until, run_cli, start_bot, stop

# nothing listens on port 1
UNREACHABLE = "postgresql+asyncpg://citytrainers:s3cret-pw@127.0.0.1:1/x"
SHOWN = "postgresql+asyncpg://citytrainers:***@127.0.0.1:1/x"


def test_run_retries_then_exits_1_with_a_few_clear_lines(tmp_path: Path):
    began = time.monotonic()
    code, out, err = run_cli(
        tmp_path, "run", DATABASE_URL=UNREACHABLE, DB_CONNECT_TIMEOUT_SECONDS="1.5"
    )
    lines = (out + err).strip().splitlines()
    assert code == 1, out + err
    assert "Traceback" not in out + err and "s3cret-pw" not in out + err
    # attempts at 0, 1 and 1.5 s: two "trying again" lines, then the final one
    assert 2 <= len(lines) <= 4, lines
    assert all(SHOWN in line for line in lines), lines
    assert "trying again in 1.0 s" in lines[0]
    final = err.strip().splitlines()[-1]
    assert final.startswith(f"citytrainers-bot: cannot reach the database {SHOWN}: ")
    assert "gave up after 3 attempts" in final and "DB_CONNECT_TIMEOUT_SECONDS=1.5" in final
    assert not (tmp_path / "data").exists()  # local mode started nothing before giving up
    assert time.monotonic() - began < 60


async def test_sigterm_while_waiting_for_the_database_stops_cleanly(tmp_path: Path):
    env = bot_env(tmp_path, DATABASE_URL=UNREACHABLE, DB_CONNECT_TIMEOUT_SECONDS="600")
    proc = await start_bot(env, tmp_path)
    seen = await read_until(proc, "trying again in")
    assert SHOWN in seen and "s3cret-pw" not in seen
    began = time.monotonic()
    assert await stop(proc, signal.SIGTERM) == 0
    assert time.monotonic() - began < 10  # not the 2 s backoff, let alone the 600 s limit


@pytest.mark.parametrize(
    "args",
    [["db", "upgrade"], ["admin", "add-coordinator", "4242", "--programme", "Breda"]],
    ids=["db upgrade", "admin add-coordinator"],
)
def test_db_and_admin_commands_say_so_in_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE)
    code = cli.main(all_features(), args)
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"citytrainers-bot: cannot reach the database {SHOWN}: "
        "[Errno 111] Connect call failed ('127.0.0.1', 1)"
    ]
