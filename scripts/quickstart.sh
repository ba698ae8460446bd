#!/usr/bin/env bash
# The main job: the quickstart release in examples/quickstart/, end to end, through the PowerShell
# module, on the embedded defaults — the local Docker engine (DOCKER_HOST, else
# /var/run/docker.sock, else — as root — a dockerd started by scripts/test-env.sh) and a file
# journal beside the plan (examples/quickstart/.releaseops/) — with a PostgreSQL for the
# pre-deploy backup (QUICKSTART_PG_PASSWORD/QUICKSTART_PG_PORT, else — as root — the test
# environment's). It installs the pinned pwsh (scripts/tools.sh) when it is missing, then runs
# examples/quickstart/quickstart.ps1:
#   validate -> gates -> deploy v1 -> deploy v2 (backup, blue-green) -> watch -> rollback -> history
# Shells without PowerShell have the releaseops CLI over the same engine (README.md).
# `scripts/quickstart.sh down` stops the demo (containers and its nginx); the journal stays.
# RELEASEOPS_SKIP_BUILD=1 skips the build (the test suite runs this after its own build).
set -euo pipefail
cd "$(dirname "$0")/.."
state=examples/quickstart/.releaseops/nginx
step() { printf '\n== %s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

docker_ok() { docker ${DOCKER_HOST:+-H "$DOCKER_HOST"} version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if [ -z "${DOCKER_HOST:-}" ] && ! docker_ok && [ -S /tmp/releaseops-test/docker.sock ]; then
  export DOCKER_HOST=unix:///tmp/releaseops-test/docker.sock
fi

if [ "${1:-}" = down ]; then
  [ -s "$state/nginx.pid" ] && nginx -c "$PWD/$state/nginx.conf" -s quit 2>/dev/null || true
  docker ${DOCKER_HOST:+-H "$DOCKER_HOST"} ps -aq --filter label=org.releaseops.application=quickstart \
    | xargs -r docker ${DOCKER_HOST:+-H "$DOCKER_HOST"} rm -f >/dev/null
  echo "quickstart: stopped (journal and backups kept in examples/quickstart/.releaseops/)"
  exit 0
fi

if [ "${RELEASEOPS_SKIP_BUILD:-}" != 1 ]; then
  step "build"
  dotnet build ReleaseOps.sln -c Release -nologo -v quiet -clp:ErrorsOnly
fi

step "docker engine"
if ! docker_ok; then
  is_root || die "no Docker engine answers; start dockerd or set DOCKER_HOST (or run as root to start one)"
  scripts/test-env.sh up docker
  export DOCKER_HOST=unix:///tmp/releaseops-test/docker.sock
fi
export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}
echo "using $DOCKER_HOST (server $(docker -H "$DOCKER_HOST" version --format '{{.Server.Version}}'))"

step "postgresql (for the pre-deploy backup)"
if [ -z "${QUICKSTART_PG_PASSWORD:-}" ]; then
  is_root || die "set QUICKSTART_PG_PASSWORD (and QUICKSTART_PG_PORT) for a PostgreSQL role 'releaseops', or run as root to start one"
  scripts/test-env.sh up postgres
  QUICKSTART_PG_PASSWORD=$(sed -n 's/^RELEASEOPS_TEST_PG_PASSWORD=//p' /tmp/releaseops-test/env)
  QUICKSTART_PG_PORT=$(sed -n 's/^RELEASEOPS_TEST_PG_PORT=//p' /tmp/releaseops-test/env)
fi
export QUICKSTART_PG_PASSWORD QUICKSTART_PG_PORT=${QUICKSTART_PG_PORT:-55432}
# The password reaches psql through its environment, never its command line.
psql_q() { PGPASSWORD=$QUICKSTART_PG_PASSWORD psql -h 127.0.0.1 -p "$QUICKSTART_PG_PORT" -U releaseops -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_q -d releaseops -c "SELECT count(*) FROM pg_database WHERE datname = 'quickstart'")" = 0 ]; then
  psql_q -d releaseops -c "CREATE DATABASE quickstart"
fi
psql_q -d quickstart -c "CREATE TABLE IF NOT EXISTS visits (id serial PRIMARY KEY, at timestamptz DEFAULT now()); INSERT INTO visits DEFAULT VALUES;"
echo "database quickstart on 127.0.0.1:$QUICKSTART_PG_PORT: $(psql_q -d quickstart -c 'SELECT count(*) FROM visits') rows in visits"

step "demo images (built locally: no registry needed)"
RELEASEOPS_TEST_DOCKER_HOST="$DOCKER_HOST" scripts/test-env.sh images releaseops-demo/web
docker -H "$DOCKER_HOST" images releaseops-demo/web --format '{{.Repository}}:{{.Tag}}  {{.Size}}'

step "nginx in front of the service (the proxy blue-green switches)"
mkdir -p "$state"
if [ ! -s "$state/upstream.conf" ]; then
  # Until the first release the upstream points at nothing; the deployment rewrites this file.
  printf 'upstream web {\n    server 127.0.0.1:18189;\n}\n' > "$state/upstream.conf"
fi
cat > "$state/nginx.conf" <<EOF
worker_processes 1;
pid $PWD/$state/nginx.pid;
error_log $PWD/$state/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $PWD/$state/tmp-body; proxy_temp_path $PWD/$state/tmp-proxy;
  fastcgi_temp_path $PWD/$state/tmp-fcgi; uwsgi_temp_path $PWD/$state/tmp-uwsgi; scgi_temp_path $PWD/$state/tmp-scgi;
  include $PWD/$state/upstream.conf;
  server {
    listen 127.0.0.1:18180;
    location / {
      proxy_pass http://web;
      keepalive_timeout 0;      # each release reloads nginx: no idle client connection to reset
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502;
      proxy_connect_timeout 2s;
    }
  }
}
EOF
if [ -s "$state/nginx.pid" ] && kill -0 "$(cat "$state/nginx.pid")" 2>/dev/null; then
  nginx -c "$PWD/$state/nginx.conf" -s reload 2>/dev/null
else
  nginx -c "$PWD/$state/nginx.conf"
fi
echo "nginx listening on http://127.0.0.1:18180/"

step "PowerShell 7.6.9 (installed under .tools/ when missing): examples/quickstart/quickstart.ps1"
scripts/tools.sh
scripts/pwsh -NoProfile -NonInteractive -File examples/quickstart/quickstart.ps1

printf '\nquickstart: done. The service answers at http://127.0.0.1:18180/ ; stop it with: scripts/quickstart.sh down\n'
