"""Store tests run on the local SQLite file and on the PostgreSQL server alike."""
from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def store_backend(request) -> str:
    return request.param
