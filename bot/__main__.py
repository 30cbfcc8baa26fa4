"""`python -m bot` and `citytrainers-bot`: the command line with every feature of the bot."""

from __future__ import annotations

from collections.abc import Sequence

from bot.app import cli
from bot.features import all_features


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(all_features(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
