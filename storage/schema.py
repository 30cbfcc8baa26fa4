"""All model modules, so `Base.metadata` is complete (Alembic and the drift test use this).

A feature that adds tables puts its models in `storage/<feature>_models.py` and imports that
module here (one line), then adds a migration under storage/migrations/versions.
"""

from __future__ import annotations

from storage import course_models, hours_models, nazorg_models, opportunity_models, signup_models
from storage.models import Base

__all__ = [
    "Base",
    "course_models",
    "hours_models",
    "nazorg_models",
    "opportunity_models",
    "signup_models",
]
