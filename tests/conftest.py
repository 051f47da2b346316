import os

from hypothesis import HealthCheck, settings

settings.register_profile("qenergy", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "qenergy"))


import pytest


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    """qenergy's cache (classical joules per query) goes to one directory per test session, never the user's."""
    monkeypatch.setenv("QENERGY_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "qenergy-cache"))
