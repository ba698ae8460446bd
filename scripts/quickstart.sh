#!/usr/bin/env bash
# The main job: runs the quickstart release in examples/quickstart/ end to end on the embedded
# defaults — the local Docker engine (DOCKER_HOST, else /var/run/docker.sock, else a dockerd
# started through scripts/test-env.sh) and a file journal under the working directory.
# With pwsh it drives the module (examples/quickstart/quickstart.ps1); without, the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
plan=examples/quickstart/releaseplan.yml
step() { printf '\n== %s\n' "$*"; }

step "build"
dotnet build ReleaseOps.sln -c Release -nologo -v quiet -clp:ErrorsOnly

step "docker engine"
docker_ok() { docker ${DOCKER_HOST:+-H "$DOCKER_HOST"} version --format '{{.Server.Version}}' >/dev/null 2>&1; }
if [ -z "${DOCKER_HOST:-}" ] && ! docker_ok; then
  if [ "$(id -u)" -eq 0 ]; then
    scripts/test-env.sh up docker
    export DOCKER_HOST=unix:///tmp/releaseops-test/docker.sock
  else
    echo "quickstart: no Docker engine answers; start dockerd or set DOCKER_HOST (or run as root to start one)" >&2; exit 1
  fi
fi
docker_ok || { echo "quickstart: the Docker engine at ${DOCKER_HOST:-/var/run/docker.sock} does not answer" >&2; exit 1; }
echo "using ${DOCKER_HOST:-unix:///var/run/docker.sock} (server $(docker ${DOCKER_HOST:+-H "$DOCKER_HOST"} version --format '{{.Server.Version}}'))"
export DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}

step "demo images (built locally: no registry needed)"
RELEASEOPS_TEST_DOCKER_HOST="$DOCKER_HOST" scripts/test-env.sh images releaseops-demo/web
docker -H "$DOCKER_HOST" images releaseops-demo/web --format '{{.Repository}}:{{.Tag}}  {{.Size}}'

if command -v pwsh >/dev/null 2>&1; then
  step "PowerShell: examples/quickstart/quickstart.ps1"
  pwsh -NoProfile -File examples/quickstart/quickstart.ps1
  exit
fi

step "validate the plan (pwsh not found: using the releaseops CLI)"
./releaseops validate "$plan"

step "the plan"
./releaseops show "$plan"
