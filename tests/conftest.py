import os

from hypothesis import HealthCheck, settings

settings.register_profile("qenergy", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "qenergy"))


import pytest


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory, monkeypatch):
    """qenergy's cache (classical joules per query) goes to one directory per test session, never the user's."""
    monkeypatch.setenv("QENERGY_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "qenergy-cache"))


#: Set by ``make test``, which installs every optional extra: a test skipped because an optional package cannot be
#: imported (``pytest.importorskip``) then fails instead, so an interop test cannot rot unseen (issue 30: the
#: CodeCarbon tests were skipped in every run until CodeCarbon joined the ``dev`` extra).
REQUIRE_OPTIONAL = os.environ.get("QENERGY_REQUIRE_OPTIONAL") == "1"


def _missing_package(report) -> str | None:
    """The message of a skip caused by an optional package that could not be imported, else None."""
    if not report.skipped:
        return None
    longrepr = report.longrepr
    message = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return message if "could not import" in message else None


def _fail_missing_package(report) -> None:
    message = _missing_package(report) if REQUIRE_OPTIONAL else None
    if message is not None:
        report.outcome = "failed"
        report.longrepr = (f"{message}; `make test` installs every optional extra (QENERGY_REQUIRE_OPTIONAL=1), so a "
                           "test must not be skipped for a missing package: add it to an extra in pyproject.toml")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_missing_package(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_missing_package(outcome.get_result())
