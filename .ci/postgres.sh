#!/usr/bin/env bash
# A PostgreSQL for the tests, on this machine (run as root; no systemd needed). Idempotent: installs Debian's
# postgresql when no server is installed, creates and starts the cluster, creates the login role linsheng_test
# (CREATEDB: each test file makes and drops its own database) and prints, as the only line on stdout:
#   export LINSHENG_TEST_DATABASE_URL=postgres://linsheng_test:…@127.0.0.1:<port>/postgres
# Use: eval "$(.ci/postgres.sh)". Progress and problems go to stderr; exit status 1 when there is no PostgreSQL.
set -euo pipefail
say() { echo "postgres.sh: $*" >&2; }

server=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$server" ]; then
  say "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }; then
    say "could not install postgresql with apt-get"
    exit 1
  fi
  server=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$server" ] || { say "postgresql installed but no server binary under /usr/lib/postgresql"; exit 1; }
fi
version=$(basename "$(dirname "$(dirname "$server")")")

if [ -z "$(pg_lsclusters -h "$version" main 2>/dev/null)" ]; then
  say "creating cluster $version/main"
  pg_createcluster --encoding=UTF8 --locale=C.UTF-8 "$version" main >&2
fi
# The socket directory lives on a tmpfs that systemd-tmpfiles would recreate at boot; here nobody does.
install -d -o postgres -g postgres -m 2775 /var/run/postgresql
if ! pg_ctlcluster "$version" main status >/dev/null 2>&1; then
  say "starting cluster $version/main"
  pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h "$version" main | awk '{print $3}')
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || { say "PostgreSQL $version did not accept connections on 127.0.0.1:$port"; exit 1; }

# The role's password is made once and kept (root only), so a URL exported earlier stays valid.
secret=/var/lib/postgresql/.linsheng_test_password
if [ ! -s "$secret" ]; then
  (umask 077; od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$secret")
fi
password=$(cat "$secret")
runuser -u postgres -- psql -q -X -v ON_ERROR_STOP=1 -p "$port" -d postgres -v pw="$password" >&2 <<'SQL'
SELECT 'CREATE ROLE linsheng_test' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'linsheng_test') \gexec
ALTER ROLE linsheng_test WITH LOGIN CREATEDB PASSWORD :'pw';
SQL

say "PostgreSQL $version is up on 127.0.0.1:$port"
echo "export LINSHENG_TEST_DATABASE_URL=postgres://linsheng_test:${password}@127.0.0.1:${port}/postgres"
