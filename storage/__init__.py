"""Persistence: SQLAlchemy 2 (async) models, repositories, FSM storage and Alembic migrations."""
