"""The Telegram adapter: composition root, middlewares, keyboards, handlers and flows."""
