import os
import subprocess
import sys
from pathlib import Path

import pytest

from splitclone.settings import base

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "splitclone.settings.production",
    "SECRET_KEY": "x7-k2Lq9vPzR4mW8tYb3nHc6jFd1sGa5eUo0iXy-qZ_rTwVbN-8dE2fG4hJ6kL0mN",
    "ALLOWED_HOSTS": "splitclone.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://splitclone.example.com",
}


def run_manage(*args, env):
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "CSRF_TRUSTED_ORIGINS",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"])
def test_production_settings_refuse_to_start_without(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_settings_refuse_a_weak_secret_key():
    result = run_manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "short"})

    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


@pytest.fixture
def no_database_env(monkeypatch):
    for name in ("DATABASE_URL", "DATABASE_HOST", "SQLITE_PATH"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_no_configuration_means_embedded_sqlite(no_database_env):
    config = base.database_config()

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == base.BASE_DIR / "db.sqlite3"


def test_database_url_selects_pooled_postgresql(no_database_env):
    no_database_env.setenv("DATABASE_URL", "postgres://app:secret@db.internal:5432/splitclone")
    no_database_env.setenv("DATABASE_POOL_MAX_SIZE", "7")

    config = base.database_config()

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["NAME"], config["USER"]) == ("db.internal", "splitclone", "app")
    assert config["OPTIONS"]["pool"]["max_size"] == 7
    assert config["CONN_MAX_AGE"] == 0


def test_database_parts_as_injected_by_the_container_platform(no_database_env):
    no_database_env.setenv("DATABASE_HOST", "rds.internal")
    no_database_env.setenv("DATABASE_PASSWORD", "from-secrets-manager")
    no_database_env.setenv("DATABASE_SSLMODE", "require")

    config = base.database_config()

    assert config["HOST"] == "rds.internal"
    assert config["PASSWORD"] == "from-secrets-manager"
    assert config["OPTIONS"]["sslmode"] == "require"
    assert "pool" in config["OPTIONS"]


def test_behind_a_connection_proxy_no_cursor_outlives_its_transaction(no_database_env):
    no_database_env.setenv("DATABASE_HOST", "proxy.internal")
    assert "DISABLE_SERVER_SIDE_CURSORS" not in base.database_config()

    no_database_env.setenv("DATABASE_BEHIND_PROXY", "true")
    config = base.database_config()

    assert config["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "pool" in config["OPTIONS"]


def test_statements_are_prepared_unless_a_connection_proxy_shares_the_connection(
    no_database_env,
):
    no_database_env.setenv("DATABASE_HOST", "rds.internal")
    direct = base.database_config()["OPTIONS"]
    assert direct["server_side_binding"] is True
    assert direct["prepare_threshold"] == 5

    no_database_env.setenv("DATABASE_BEHIND_PROXY", "true")
    behind_proxy = base.database_config()["OPTIONS"]
    assert "server_side_binding" not in behind_proxy
    assert "prepare_threshold" not in behind_proxy
