"""The activities tests seed Citytrainers with the opportunities tests' fixture."""

from tests.opportunities.conftest import seed

__all__ = ["seed"]
