import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_str,
    env_time_zone,
    passkey_origin,
)
from portal.logs import JsonFormatter

PROJECT_ROOT = Path(__file__).resolve().parents[2]


TIMEOUTS = {"connect_timeout": 2, "statement_timeout": 5}


def start_django(code="print('started')", **variables):
    """Start Django in a fresh process with exactly these variables, run ``code`` there."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.update(variables)
    return subprocess.run(  # noqa: S603 -- our own interpreter, fixed arguments
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestStartingThePortal:
    def test_it_starts_in_development_with_debug_alone(self):
        result = start_django(DEBUG="1")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "started"

    def test_it_starts_in_production_with_a_secret_key(self):
        result = start_django(SECRET_KEY="x" * 50, ALLOWED_HOSTS="clinic.example")
        assert result.returncode == 0, result.stderr

    @pytest.mark.parametrize("hosts", ["*", ".clinic.example,portal.clinic.example"])
    def test_it_asks_for_the_site_address_when_the_first_host_is_a_pattern(self, hosts):
        result = start_django(SECRET_KEY="x" * 50, ALLOWED_HOSTS=hosts)
        assert result.returncode != 0
        assert "Set PORTAL_SITE_URL to the address patients use" in result.stderr
        result = start_django(
            "from django.conf import settings; print(settings.PORTAL_SITE_URL)",
            SECRET_KEY="x" * 50,
            ALLOWED_HOSTS=hosts,
            PORTAL_SITE_URL="https://portal.clinic.example/",
        )
        assert result.stdout.strip() == "https://portal.clinic.example/", result.stderr

    def test_the_site_address_defaults_to_the_first_host_over_https(self):
        result = start_django(
            "from django.conf import settings; print(settings.PORTAL_SITE_URL)",
            SECRET_KEY="x" * 50,
            ALLOWED_HOSTS="portal.clinic.example,.clinic.example",
        )
        assert result.stdout.strip() == "https://portal.clinic.example/", result.stderr

    def test_it_refuses_a_debug_value_it_does_not_understand(self):
        result = start_django(DEBUG="maybe")
        assert result.returncode != 0
        assert "DEBUG must be one of" in result.stderr
        assert "'maybe'" in result.stderr

    def test_it_refuses_to_start_in_production_without_a_secret_key(self):
        result = start_django()
        assert result.returncode != 0
        assert "SECRET_KEY must be set when DEBUG is off" in result.stderr

    def test_it_refuses_an_unknown_time_zone(self):
        result = start_django(DEBUG="1", TIME_ZONE="Mars/Olympus_Mons")
        assert result.returncode != 0
        assert "TIME_ZONE must be an IANA time zone" in result.stderr

    def test_it_refuses_a_database_age_that_is_not_a_number(self):
        result = start_django(DEBUG="1", DATABASE_CONN_MAX_AGE="forever")
        assert result.returncode != 0
        assert "DATABASE_CONN_MAX_AGE must be a whole number" in result.stderr


class TestEnvironmentHelpers:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [("1", True), ("TRUE", True), (" yes ", True), ("on", True), ("0", False), ("off", False)],
    )
    def test_env_bool_reads_the_usual_spellings(self, monkeypatch, raw, expected):
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG", not expected) is expected

    def test_env_bool_falls_back_to_the_default_when_unset(self, monkeypatch):
        monkeypatch.delenv("FLAG", raising=False)
        assert env_bool("FLAG", True) is True

    def test_env_bool_names_the_variable_it_cannot_read(self, monkeypatch):
        monkeypatch.setenv("FLAG", "perhaps")
        with pytest.raises(ImproperlyConfigured, match="FLAG must be one of"):
            env_bool("FLAG", False)

    def test_env_str_treats_blank_as_unset(self, monkeypatch):
        monkeypatch.setenv("NAME", "   ")
        assert env_str("NAME", "fallback") == "fallback"
        with pytest.raises(ImproperlyConfigured, match="NAME must be set"):
            env_str("NAME", required=True)

    def test_env_int_enforces_its_minimum(self, monkeypatch):
        monkeypatch.setenv("COUNT", "-3")
        with pytest.raises(ImproperlyConfigured, match="COUNT must be at least 0"):
            env_int("COUNT", 1, minimum=0)
        monkeypatch.setenv("COUNT", "7")
        assert env_int("COUNT", 1, minimum=0) == 7

    def test_env_list_splits_on_commas(self, monkeypatch):
        monkeypatch.setenv("HOSTS", "a.example, b.example,,")
        assert env_list("HOSTS") == ["a.example", "b.example"]

    def test_env_time_zone_accepts_a_real_zone(self, monkeypatch):
        monkeypatch.setenv("ZONE", "Europe/Berlin")
        assert env_time_zone("ZONE", "UTC") == "Europe/Berlin"


def test_production_static_files_collect_with_hashed_names(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": "y" * 50,
    }
    script = (
        "import django, sys; from django.conf import settings; django.setup();"
        "settings.STATIC_ROOT = sys.argv[1];"
        "from django.core.management import call_command;"
        "call_command('collectstatic', interactive=False, verbosity=0)"
    )
    result = subprocess.run(  # noqa: S603 -- our own interpreter, fixed arguments
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("css/portal.*.css.gz"))
    assert list(tmp_path.glob("bootstrap/css/bootstrap.min.*.css"))


class TestDatabaseUrl:
    @pytest.mark.parametrize("url", ["not a url", "mysql://db/holdfast", "foo://x"])
    def test_it_refuses_what_is_not_sqlite_or_postgres(self, monkeypatch, url):
        monkeypatch.setenv("DB", url)
        with pytest.raises(ImproperlyConfigured, match="DB must be a sqlite:// or postgres://"):
            env_database("DB", "sqlite:///x.sqlite3", conn_max_age=0, **TIMEOUTS)

    def test_it_refuses_a_postgres_url_without_a_database(self, monkeypatch):
        monkeypatch.setenv("DB", "postgres://user@host:5432")
        with pytest.raises(ImproperlyConfigured, match="DB names no database"):
            env_database("DB", "sqlite:///x.sqlite3", conn_max_age=0, **TIMEOUTS)

    def test_it_reads_a_postgres_url(self, monkeypatch):
        monkeypatch.setenv("DB", "postgres://clinic:secret@db.internal:5433/holdfast")
        config = env_database("DB", "sqlite:///x.sqlite3", conn_max_age=30, **TIMEOUTS)
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "holdfast")
        assert config["CONN_MAX_AGE"] == 30
        assert config["OPTIONS"] == {"connect_timeout": 2, "options": "-c statement_timeout=5s"}

    def test_a_bad_url_stops_the_portal_naming_the_variable(self):
        result = start_django(DEBUG="1", DATABASE_URL="mysql://db/holdfast")
        assert result.returncode != 0
        assert "DATABASE_URL must be a sqlite:// or postgres:// URL" in result.stderr


def test_production_defaults_are_https_only():
    result = start_django(
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.DEBUG)",
        SECRET_KEY="z" * 50,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000", "False"]


def test_a_redis_url_that_is_not_one_stops_the_portal():
    result = start_django(DEBUG="1", REDIS_URL="localhost:6379")
    assert result.returncode != 0
    assert "REDIS_URL must be a redis://" in result.stderr


def test_with_redis_the_cache_uses_it_and_sessions_stay_in_the_database():
    result = start_django(
        "from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE)",
        DEBUG="1",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.stdout.split() == [
        "portal.cache.ForgivingRedisCache",
        "django.contrib.sessions.backends.db",
    ]


def test_postgresql_connections_have_a_connect_and_a_statement_timeout():
    result = start_django(
        "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS'];"
        "print(o['connect_timeout'], o['options'])",
        DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/holdfast",
        PORTAL_DB_STATEMENT_TIMEOUT_SECONDS="3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "-c", "statement_timeout=3s"]


def test_logs_are_one_json_object_per_line():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/x",), None
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING"
    assert entry["message"] == "Not Found: /x"
    assert entry["logger"] == "django.request"


def test_the_wsgi_application_hides_its_startup_objects_from_the_collector():
    result = start_django(
        "import gc, portal.wsgi; print(callable(portal.wsgi.application), gc.get_freeze_count())",
        DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    loaded, frozen = result.stdout.split()
    assert loaded == "True"
    # Django and the apps alone make tens of thousands of objects.
    assert int(frozen) > 10_000


@pytest.mark.parametrize(
    ("site", "origin"),
    [
        ("https://portal.clinic.example/", "https://portal.clinic.example"),
        ("https://portal.clinic.example:8443/holdfast/", "https://portal.clinic.example:8443"),
        ("http://127.0.0.1:8000/", "http://localhost:8000"),
        ("http://[::1]:9000/", "http://localhost:9000"),
        ("https://portal.clinic.example:443/", "https://portal.clinic.example"),
    ],
)
def test_passkeys_belong_to_the_sites_origin_never_to_an_ip_address(site, origin):
    assert passkey_origin(site) == origin


def test_production_passkeys_belong_to_the_site_address():
    result = start_django(
        "from django.conf import settings as s;"
        "print(s.PORTAL_PASSKEY_ORIGIN, s.OTP_WEBAUTHN_RP_ID, *s.OTP_WEBAUTHN_ALLOWED_ORIGINS)",
        SECRET_KEY="z" * 50,
        ALLOWED_HOSTS="portal.clinic.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://portal.clinic.example",
        "portal.clinic.example",
        "https://portal.clinic.example",
    ]


@pytest.mark.parametrize(
    "origin", ["https://portal.clinic.example/holdfast", "portal.clinic.example", "ftp://x.org"]
)
def test_a_passkey_origin_that_is_not_one_stops_the_portal(origin):
    result = start_django(DEBUG="1", PORTAL_PASSKEY_ORIGIN=origin)
    assert result.returncode != 0
    assert "PORTAL_PASSKEY_ORIGIN must be an origin" in result.stderr
