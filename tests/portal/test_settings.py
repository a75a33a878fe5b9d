import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_str, env_time_zone

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def start_django(**variables):
    """Start Django in a fresh process with exactly these variables; return the process."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "portal.settings"}
    env.update(variables)
    return subprocess.run(  # noqa: S603 -- our own interpreter, fixed arguments
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
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
