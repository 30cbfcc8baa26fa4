"""Outer middlewares: a database session per update (with dedupe), and the sender's member."""
