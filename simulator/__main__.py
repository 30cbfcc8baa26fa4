"""Run the emulator standalone: ``python -m simulator --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from simulator.server import DEFAULT_TOKEN, serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Telegram Bot API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="default bot token")
    parser.add_argument("--bot-username", default="citytrainers_test_bot")
    parser.add_argument("--global-per-second", type=int, default=30)
    parser.add_argument("--per-chat-burst", type=int, default=20)
    parser.add_argument("--per-chat-refill", type=float, default=1.0)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve_forever(
                args.host,
                args.port,
                global_per_second=args.global_per_second,
                per_chat_burst=args.per_chat_burst,
                per_chat_refill_per_second=args.per_chat_refill,
                default_token=args.token,
                bot_username=args.bot_username,
            )
        )


if __name__ == "__main__":
    main()
