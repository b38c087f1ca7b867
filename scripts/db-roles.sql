-- The two database roles and the database, created by a PostgreSQL superuser (idempotent):
--
--   sudo -u postgres psql -v owner=lbc_owner -v app=lbc_app -v db=lbc -f scripts/db-roles.sql
--
-- owner: owns the database and every table; only `manage.py migrate` connects as it
--        (MIGRATE_DATABASE_URL). app: what the web, worker and beat connect as (DATABASE_URL);
--        it owns nothing and gets its rights from `manage.py migrate` / `grant_app_role`.
-- Passwords are set apart, never in a file: \password lbc_owner, \password lbc_app.
-- See docs/OPERATIONS.md ("Two database roles") and lbc_office/dbroles.py.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', :'app')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
-- Whatever they were before: neither may do more than this.
SELECT format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE', :'owner') \gexec
SELECT format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', :'app') \gexec

SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L LOCALE %L TEMPLATE template0',
              :'db', :'owner', 'UTF8', 'C.UTF-8')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'owner') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'db', :'app') \gexec

\connect :db
-- Only the owner creates tables (PostgreSQL before 15 let everyone create in "public").
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- An install from before the two roles: the tables the app's role owned become the owner's.
SELECT format('REASSIGN OWNED BY %I TO %I', :'app', :'owner') \gexec

