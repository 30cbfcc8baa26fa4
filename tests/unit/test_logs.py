"""LOG_FORMAT=json gives one JSON object a line, with the level, logger and message."""

from __future__ import annotations

import json
import logging

import pytest

from bot.app.logs import configure_logging


def test_json_logs_are_one_object_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    before = (root.handlers[:], root.level)
    try:
        configure_logging("INFO", "json")
        logging.getLogger("bot.test").info("update %s handled", 42)
    finally:
        root.handlers[:], level = before
        root.setLevel(level)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["levelname"] == "INFO" and record["name"] == "bot.test"
    assert record["message"] == "update 42 handled"
