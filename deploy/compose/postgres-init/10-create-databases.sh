#!/bin/sh
# Runs once, on the first start of an empty data volume (postgres image's
# /docker-entrypoint-initdb.d): one database per SQL subgraph, each owned by its
# own login role, so a subgraph can neither read nor write the other's data.
set -eu

: "${USERS_DB_PASSWORD:?USERS_DB_PASSWORD is required}"
: "${LEARNING_DB_PASSWORD:?LEARNING_DB_PASSWORD is required}"

psql --set ON_ERROR_STOP=1 --no-psqlrc \
  --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  --set users_password="$USERS_DB_PASSWORD" \
  --set learning_password="$LEARNING_DB_PASSWORD" <<'SQL'
CREATE ROLE users_app LOGIN PASSWORD :'users_password';
CREATE DATABASE users OWNER users_app;
REVOKE ALL ON DATABASE users FROM PUBLIC;

CREATE ROLE learning_app LOGIN PASSWORD :'learning_password';
CREATE DATABASE learning OWNER learning_app;
REVOKE ALL ON DATABASE learning FROM PUBLIC;
SQL
