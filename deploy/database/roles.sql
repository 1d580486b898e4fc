-- The database roles of Splitclone. Run as the RDS master user, in the application database, by
-- the one-off db-bootstrap task (docs/deploy.md), once per environment and again to rotate the
-- passwords:
--
--   SPLITCLONE_APP_ROLE=splitclone_app SPLITCLONE_APP_PASSWORD=... \
--   SPLITCLONE_MIGRATE_ROLE=splitclone_migrate SPLITCLONE_MIGRATE_PASSWORD=... \
--   psql --no-psqlrc -f deploy/database/roles.sql
--
-- The migration role owns the schema's objects and is the only one that changes them; the app
-- role may read and write rows, nothing else. Safe to run again: it creates what is missing, sets
-- both passwords, hands objects made by another role (migrations run as the master user before
-- these roles existed) to the migration role and grants again. Needs psql 15 or newer (\getenv).

\set ON_ERROR_STOP on
\getenv app_role SPLITCLONE_APP_ROLE
\getenv app_password SPLITCLONE_APP_PASSWORD
\getenv migrate_role SPLITCLONE_MIGRATE_ROLE
\getenv migrate_password SPLITCLONE_MIGRATE_PASSWORD

-- The names and passwords travel as settings of this session and are read inside DO blocks:
-- the instance logs DDL statements (log_statement = ddl), and a DO block is not one, so no
-- password reaches the log. An unset variable stays ":'name'", a syntax error that stops here.
SELECT set_config('splitclone.app_role', :'app_role', false) IS NOT NULL AS app_role_set,
       set_config('splitclone.app_password', :'app_password', false) IS NOT NULL AS app_password_set,
       set_config('splitclone.migrate_role', :'migrate_role', false) IS NOT NULL AS migrate_role_set,
       set_config('splitclone.migrate_password', :'migrate_password', false) IS NOT NULL AS migrate_password_set
\gset

DO $$
DECLARE
  login record;
BEGIN
  FOR login IN
    SELECT current_setting('splitclone.' || kind || '_role') AS role,
           current_setting('splitclone.' || kind || '_password') AS password
    FROM unnest(ARRAY['app', 'migrate']) AS kind
  LOOP
    IF login.role = '' OR login.password = '' THEN
      RAISE EXCEPTION 'both role names and both passwords must be set';
    END IF;
    IF login.role = current_user THEN
      RAISE EXCEPTION 'role % is the user running this script', login.role;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = login.role) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', login.role);
    END IF;
    EXECUTE format('ALTER ROLE %I PASSWORD %L', login.role, login.password);
  END LOOP;
END
$$;

SELECT set_config('splitclone.app_password', '', false) IS NOT NULL AS app_password_cleared,
       set_config('splitclone.migrate_password', '', false) IS NOT NULL AS migrate_password_cleared
\gset

-- Only the migration role creates objects in the schema. Databases restored from a snapshot of
-- PostgreSQL 14 or older still let everybody create there.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO :"migrate_role";
GRANT USAGE ON SCHEMA public TO :"app_role";

-- The master user acts as the migration role below, to hand it objects and to set its defaults.
GRANT :"migrate_role" TO CURRENT_USER;

-- Tables, views, sequences and functions made by any other role pass to the migration role, so
-- later migrations can change them (a trigger function is replaced by its owner only). Sequences
-- of serial and identity columns follow their table.
DO $$
DECLARE
  migrate_role text := current_setting('splitclone.migrate_role');
  migrate_oid oid := (SELECT oid FROM pg_roles WHERE rolname = migrate_role);
  object record;
BEGIN
  FOR object IN
    SELECT CASE c.relkind
             WHEN 'v' THEN 'VIEW'
             WHEN 'm' THEN 'MATERIALIZED VIEW'
             WHEN 'S' THEN 'SEQUENCE'
             WHEN 'f' THEN 'FOREIGN TABLE'
             ELSE 'TABLE'
           END AS kind,
           c.oid::regclass::text AS name
    FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace
      AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND c.relowner <> migrate_oid
      AND NOT EXISTS (
        SELECT FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e')
      )
    UNION ALL
    SELECT 'ROUTINE', p.oid::regprocedure::text
    FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace
      AND p.proowner <> migrate_oid
      AND NOT EXISTS (
        SELECT FROM pg_depend d
        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
      )
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO %I', object.kind, object.name, migrate_role);
  END LOOP;
END
$$;

-- Rows, not structure, for the app: on what exists now and on what later migrations create.
-- Django's identity columns draw their ids without rights on the sequences, functions are
-- executable by everybody unless revoked, and the triggers run as the writing role.
SET ROLE :"migrate_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
RESET ROLE;
