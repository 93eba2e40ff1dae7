"""The replica router's decisions in one process; the slow tests in test_scale_out.py show them
on a real primary and streaming replica."""

import contextlib
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.test import RequestFactory

from compromiso.cases.models import Case
from compromiso.core import dbrouter
from compromiso.core.models import RateCounter
from compromiso.organizations.models import User

router = dbrouter.ReplicaRouter()
# The fixture adds a replica to DATABASES on purpose, and says so.
pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


@pytest.fixture
def replica_settings(settings):
    """A PostgreSQL replica configured at an address where nothing answers."""
    replica = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "compromiso",
        "HOST": "127.0.0.1",
        "PORT": "1",
        "USER": "postgres",
        "OPTIONS": {"connect_timeout": 2},
    }
    settings.DATABASES = {**settings.DATABASES, "replica": replica}
    connections.settings["replica"] = {**connections.settings["default"], **replica, "TEST": {}}
    dbrouter.forget_lag()
    yield settings
    dbrouter.forget_lag()
    connections["replica"].close()
    del connections.settings["replica"]
    with contextlib.suppress(AttributeError):
        delattr(connections._connections, "replica")


def test_without_a_replica_everything_reads_and_writes_the_primary():
    with dbrouter.reading_replica() as on_replica:
        assert on_replica is False
        assert router.db_for_read(Case) is None
    assert router.db_for_write(Case) == "default"


def test_a_write_pins_the_browser_to_the_primary_for_a_while(replica_settings):
    replica_settings.DATABASE_REPLICA_PIN_SECONDS = 20
    middleware = dbrouter.ReadYourWritesMiddleware(lambda request: dbrouter.HttpResponse())
    factory = RequestFactory()
    assert dbrouter.PIN_COOKIE not in middleware(factory.get("/")).cookies
    cookie = middleware(factory.post("/")).cookies[dbrouter.PIN_COOKIE]
    assert 19 < float(cookie.value) - time.time() < 20.1
    later = factory.get("/", HTTP_COOKIE=f"{dbrouter.PIN_COOKIE}={cookie.value}")
    assert dbrouter.pinned_to_primary(later)
    expired = factory.get("/", HTTP_COOKIE=f"{dbrouter.PIN_COOKIE}={time.time() - 1}")
    assert not dbrouter.pinned_to_primary(expired)
    garbage = factory.get("/", HTTP_COOKIE=f"{dbrouter.PIN_COOKIE}=soon")
    assert not dbrouter.pinned_to_primary(garbage)


def test_a_replica_that_does_not_answer_is_not_read(replica_settings, caplog):
    with dbrouter.reading_replica() as on_replica:
        assert on_replica is False
        assert router.db_for_read(Case) is None
    assert "does not answer" in caplog.text


def test_sessions_users_counters_and_reads_in_a_transaction_stay_on_the_primary(
    transactional_db,
):
    token = dbrouter._on_replica.set(True)  # as inside `use_replica` with a replica in step
    try:
        assert router.db_for_read(Case) == dbrouter.REPLICA
        for model in (Session, User, RateCounter):
            assert router.db_for_read(model) is None
        with transaction.atomic():
            assert router.db_for_read(Case) is None
    finally:
        dbrouter._on_replica.reset(token)
    assert router.db_for_read(Case) is None


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "cases")
    assert not router.allow_migrate(dbrouter.REPLICA, "cases")
