"""deploy/database/roles.sql against a real PostgreSQL: the app role reads and writes rows and
nothing else, the migration role owns the schema and runs the project's migrations.

Runs the script as a stand-in for the RDS master user (LOGIN CREATEROLE CREATEDB, no superuser)
in scratch databases, with psql, and the project's migrations with its own virtualenv:

    PGHOST=127.0.0.1 PGPORT=5432 APP_PYTHON=.venv/bin/python pytest deploy/tests

The server must let the `postgres` superuser and the scratch roles in without a password (trust,
as in CI); passwords are still set and checked in pg_authid. Skipped without psql, without a
server or without the app's virtualenv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "database" / "roles.sql"
APP_PYTHON = Path(os.environ.get("APP_PYTHON", ROOT / ".venv" / "bin" / "python"))
HOST = os.environ.get("PGHOST", "127.0.0.1")
PORT = os.environ.get("PGPORT", "5432")
ADMIN = "postgres"
PERMISSION_DENIED = ("permission denied", "must be owner")
PSQL = ("psql", "--no-psqlrc", "-X", "-At", "-v", "ON_ERROR_STOP=1")


def psql(database: str, user: str, *arguments: str, env: dict[str, str] | None = None):
    """psql as `user`; `arguments` are -c <sql> or -f <file>. `env` replaces the script's
    variables (SPLITCLONE_*) of this process's environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SPLITCLONE_")}
    return subprocess.run(
        [*PSQL, "-h", HOST, "-p", PORT, "-U", user, "-d", database, *arguments],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        check=False,
        timeout=120,
    )


def admin(sql: str, database: str = "postgres") -> str:
    result = psql(database, ADMIN, "-c", sql)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def server_available() -> bool:
    if shutil.which("psql") is None:
        return False
    return psql("postgres", ADMIN, "-c", "SELECT 1").returncode == 0


pytestmark = [
    pytest.mark.skipif(not server_available(), reason=f"no PostgreSQL at {HOST}:{PORT} / psql"),
    pytest.mark.skipif(not APP_PYTHON.exists(), reason=f"no app virtualenv at {APP_PYTHON}"),
]


@dataclass
class Roles:
    """Names of one test's roles, unique on the shared server."""

    master: str
    app: str
    migrate: str

    def script_env(self, app_password: str = "app-secret", migrate_password: str = "mig-secret"):
        return {
            "SPLITCLONE_APP_ROLE": self.app,
            "SPLITCLONE_APP_PASSWORD": app_password,
            "SPLITCLONE_MIGRATE_ROLE": self.migrate,
            "SPLITCLONE_MIGRATE_PASSWORD": migrate_password,
        }


@pytest.fixture
def roles() -> Iterator[Roles]:
    prefix = f"rolestest_{uuid.uuid4().hex[:8]}"
    names = Roles(master=f"{prefix}_master", app=f"{prefix}_app", migrate=f"{prefix}_migrate")
    # The RDS master user: may create roles and databases, is no superuser.
    admin(f"CREATE ROLE {names.master} LOGIN CREATEROLE CREATEDB")
    yield names
    for database in admin(
        f"SELECT datname FROM pg_database WHERE datname LIKE '{prefix}%'"
    ).splitlines():
        admin(f"DROP DATABASE {database} WITH (FORCE)")
    for role in (names.app, names.migrate, names.master):
        admin(f"DROP ROLE IF EXISTS {role}")


def scratch_database(roles: Roles, name: str) -> str:
    """A database owned by the master user, as RDS creates it. Its public schema still lets
    everybody create, as in databases that come from PostgreSQL 14 or older."""
    database = f"{roles.master.removesuffix('_master')}_{name}"
    admin(f"CREATE DATABASE {database} OWNER {roles.master}")
    admin("GRANT CREATE ON SCHEMA public TO PUBLIC", database)
    return database


def run_script(database: str, roles: Roles, env: dict[str, str] | None = None):
    """The script as the master user, with the role names and passwords in `env`."""
    return psql(
        database, roles.master, "-f", str(SCRIPT), env=roles.script_env() if env is None else env
    )


def manage(database: str, user: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(APP_PYTHON), "manage.py", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"postgres://{user}@{HOST}:{PORT}/{database}"},
        check=False,
        timeout=600,
    )


def owners(database: str) -> set[str]:
    """Owners of the tables, sequences, views and functions of the public schema."""
    return set(
        admin(
            """
            SELECT pg_get_userbyid(relowner) FROM pg_class
            WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p', 'v', 'm', 'S')
            UNION
            SELECT pg_get_userbyid(proowner) FROM pg_proc
            WHERE pronamespace = 'public'::regnamespace
            """,
            database,
        ).splitlines()
    )


def assert_app_role_writes_rows_only(database: str, roles: Roles) -> None:
    missing = admin(
        f"""
        SELECT tablename FROM pg_tables WHERE schemaname = 'public'
        AND NOT has_table_privilege('{roles.app}', format('%I.%I', schemaname, tablename),
                                    'SELECT, INSERT, UPDATE, DELETE')
        """,
        database,
    )
    assert missing == ""
    # The app's own writes, through the ledger and its triggers.
    seeded = manage(database, roles.app, "seed_demo")
    assert seeded.returncode == 0, seeded.stderr
    row_work = psql(
        database,
        roles.app,
        "-c",
        "BEGIN; UPDATE expenses_expense SET description = description || '!';"
        " DELETE FROM django_session; SELECT count(*) FROM groups_pairbalance; ROLLBACK;",
    )
    assert row_work.returncode == 0, row_work.stderr
    for statement in (
        "CREATE TABLE public.scratch (id int)",
        "CREATE FUNCTION public.scratch() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE SCHEMA scratch",
        "ALTER TABLE expenses_expense ADD COLUMN scratch int",
        "DROP TABLE django_migrations",
        "TRUNCATE django_session",
        "DROP FUNCTION "
        + admin(
            "SELECT p.oid::regprocedure FROM pg_proc p"
            " WHERE pronamespace = 'public'::regnamespace LIMIT 1",
            database,
        ),
    ):
        refused = psql(database, roles.app, "-c", statement)
        assert refused.returncode != 0, statement
        assert any(reason in refused.stderr for reason in PERMISSION_DENIED), refused.stderr


def password_hash(role: str) -> str:
    return admin(f"SELECT rolpassword FROM pg_authid WHERE rolname = '{role}'")


def test_fresh_database(roles):
    """First deploy: roles first, then the migrations run as the migration role."""
    database = scratch_database(roles, "fresh")

    created = run_script(database, roles)
    assert created.returncode == 0, created.stderr
    migrated = manage(database, roles.migrate, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr

    assert owners(database) == {roles.migrate}
    assert_app_role_writes_rows_only(database, roles)
    assert password_hash(roles.app).startswith("SCRAM-SHA-256$")


def test_database_migrated_by_the_master_user(roles):
    """Today's databases: the master user ran the migrations and owns every table, sequence and
    trigger function; the script hands them to the migration role, which can change them."""
    database = scratch_database(roles, "taken_over")
    migrated = manage(database, roles.master, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    assert owners(database) == {roles.master}

    taken_over = run_script(database, roles)
    assert taken_over.returncode == 0, taken_over.stderr

    assert owners(database) == {roles.migrate}
    # Unapplying and reapplying a migration drops and recreates triggers and their functions.
    for target in (("ledger", "0002"), ()):
        changed = manage(database, roles.migrate, "migrate", "--noinput", *target)
        assert changed.returncode == 0, changed.stderr
    assert owners(database) == {roles.migrate}
    assert_app_role_writes_rows_only(database, roles)


def test_running_again_sets_new_passwords(roles):
    database = scratch_database(roles, "rotated")
    assert run_script(database, roles).returncode == 0
    before = {role: password_hash(role) for role in (roles.app, roles.migrate)}

    rotated = run_script(database, roles, roles.script_env("app-secret-2", "mig-secret-2"))

    assert rotated.returncode == 0, rotated.stderr
    after = {role: password_hash(role) for role in (roles.app, roles.migrate)}
    assert all(after[role] != before[role] for role in before)


@pytest.mark.parametrize(
    "change",
    [
        {"SPLITCLONE_APP_PASSWORD": ""},
        {"SPLITCLONE_MIGRATE_ROLE": ""},
    ],
    ids=["empty-password", "empty-role"],
)
def test_refuses_empty_names_and_passwords(roles, change):
    database = scratch_database(roles, "empty")

    refused = run_script(database, roles, {**roles.script_env(), **change})

    assert refused.returncode != 0
    assert "must be set" in refused.stderr
    assert admin(f"SELECT count(*) FROM pg_roles WHERE rolname LIKE '{roles.app}%'") == "0"


def test_refuses_an_unset_variable(roles):
    database = scratch_database(roles, "unset")
    env = {k: v for k, v in roles.script_env().items() if k != "SPLITCLONE_APP_PASSWORD"}

    refused = run_script(database, roles, env)

    assert refused.returncode != 0
    assert "syntax error" in refused.stderr
    assert admin(f"SELECT count(*) FROM pg_roles WHERE rolname = '{roles.app}'") == "0"


def test_refuses_to_take_over_the_master_user(roles):
    database = scratch_database(roles, "self")
    before = password_hash(roles.master)

    refused = run_script(
        database, roles, {**roles.script_env(), "SPLITCLONE_APP_ROLE": roles.master}
    )

    assert refused.returncode != 0
    assert "is the user running this script" in refused.stderr
    assert password_hash(roles.master) == before
