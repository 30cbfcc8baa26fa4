"""All model modules, so `Base.metadata` is complete (Alembic and the drift test use this).

A feature that adds tables puts its models in `storage/<feature>_models.py` and imports that
module here (one line), then adds a migration under storage/migrations/versions.
"""

from __future__ import annotations

from storage.activities import models as activity_models
from storage.course import models as course_models
from storage.hours import models as hours_models
from storage.models import Base
from storage.nazorg import models as nazorg_models
from storage.opportunities import models as opportunity_models
from storage.signup import models as signup_models

__all__ = [
    "Base",
    "activity_models",
    "course_models",
    "hours_models",
    "nazorg_models",
    "opportunity_models",
    "signup_models",
]
