#!/usr/bin/env bash
# Starts (up) or stops (down) the real services ReleaseOps is tested against, all on loopback:
# dockerd (swarm mode), PostgreSQL 15 with password authentication, Redis 7 with a password,
# nginx with a self-signed TLS certificate, the local test images built from busybox-static, and
# monitoring: Prometheus 2.42 scraping fixture targets the tests write, Alertmanager 0.25 routing to
# a local webhook receiver, and nginx in front of Prometheus with TLS and basic/bearer auth.
# Running `up` twice is harmless; `down` leaves nothing running. Endpoints and credentials go to
# $RELEASEOPS_TEST_STATE/env (default /tmp/releaseops-test/env), which the tests read.
set -euo pipefail

STATE=${RELEASEOPS_TEST_STATE:-/tmp/releaseops-test}
ENV_FILE="$STATE/env"
DOCKER_SOCK=${RELEASEOPS_TEST_DOCKER_HOST:-unix://$STATE/docker.sock}
PG_PORT=55432
REDIS_PORT=56379
NGINX_HTTP_PORT=58080
NGINX_HTTPS_PORT=58443
PROMETHEUS_PORT=59090
ALERTMANAGER_PORT=59093
FIXTURES_PORT=59100       # busybox httpd serving the metrics files the tests write (Prometheus scrapes them)
RECEIVER_PORT=59101       # busybox httpd running the webhook receiver CGI Alertmanager delivers to
DEAD_RECEIVER_PORT=59102  # nothing listens here: Alertmanager's "broken" receiver
MONITORING_PROXY_PORT=59443  # nginx: TLS in front of Prometheus and Alertmanager, with basic or bearer auth
PG_BIN=/usr/lib/postgresql/15/bin
# chromium (and an emoji font, since team checklists use emoji) renders the HTML release record in a test.
PACKAGES=(docker.io postgresql redis-server nginx-light busybox-static openssl chromium fonts-noto-color-emoji)
# Without recommends: Debian's prometheus recommends node-exporter and its collectors, which the tests do not use.
MONITORING_PACKAGES=(prometheus prometheus-alertmanager)

log() { printf 'test-env: %s\n' "$*" >&2; }
die() { printf 'test-env: error: %s\n' "$*" >&2; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || die "run as root (services are installed with apt-get and PostgreSQL runs as the postgres user)"; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v nginx >/dev/null || missing+=(nginx-light)
  [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx httpd || missing+=(busybox-static)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v chromium >/dev/null || missing+=(chromium)
  [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
  local monitoring=()
  command -v prometheus >/dev/null || monitoring+=(prometheus)
  command -v prometheus-alertmanager >/dev/null || monitoring+=(prometheus-alertmanager)
  if [ ${#missing[@]} -eq 0 ] && [ ${#monitoring[@]} -eq 0 ]; then return; fi
  log "installing ${missing[*]} ${monitoring[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  if [ ${#missing[@]} -gt 0 ]; then apt-get install -y -qq "${PACKAGES[@]}" >/dev/null; fi
  # Debian's packages start their own default instances where an init system exists; ours are separate.
  if [ ${#monitoring[@]} -gt 0 ]; then install_monitoring; fi
}

# Prometheus and Alertmanager must not start (or be enabled) as Debian's default instances on their
# default ports: a policy-rc.d refuses every service start during the install (one already there is kept),
# and on a systemd machine the units are disabled again.
install_monitoring() {
  local policy=/usr/sbin/policy-rc.d added=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; added=1; fi
  apt-get install -y -qq --no-install-recommends "${MONITORING_PACKAGES[@]}" >/dev/null || { [ -z "$added" ] || rm -f "$policy"; die "installing ${MONITORING_PACKAGES[*]} failed"; }
  [ -z "$added" ] || rm -f "$policy"
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    systemctl disable --now prometheus prometheus-alertmanager >/dev/null 2>&1 || true
  fi
}

secret() { # secret NAME -> a random value kept in the state dir, so `up` twice keeps credentials
  local file="$STATE/secrets/$1"
  if [ ! -s "$file" ]; then
    mkdir -p "$STATE/secrets"; chmod 700 "$STATE/secrets"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$file"; chmod 600 "$file"
  fi
  cat "$file"
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what did not come up in time"
    sleep 0.3
  done
}

docker_up() {
  if docker -H "$DOCKER_SOCK" version >/dev/null 2>&1; then log "dockerd already running"; else
    log "starting dockerd on $DOCKER_SOCK"
    mkdir -p "$STATE/docker-data" "$STATE/docker-exec"
    setsid nohup /usr/sbin/dockerd --host "$DOCKER_SOCK" --data-root "$STATE/docker-data" \
      --exec-root "$STATE/docker-exec" --pidfile "$STATE/docker.pid" >"$STATE/docker.log" 2>&1 < /dev/null &
    wait_for 60 dockerd docker -H "$DOCKER_SOCK" version
  fi
  if [ "$(docker -H "$DOCKER_SOCK" info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
    log "initialising swarm mode"
    docker -H "$DOCKER_SOCK" swarm init --advertise-addr 127.0.0.1 >/dev/null
  fi
  build_images
}

# Images: a root filesystem holding /bin/busybox, serving /www with busybox httpd on port 8080.
# REPO:v1 and REPO:v2 differ in /www/version; REPO:broken has no /health (a failing release);
# REPO:plain runs as user 10001 without a HEALTHCHECK (for hardening checks). No registry needed.
build_images() {
  local repo=${1:-releaseops-test/web} have
  have=$(docker -H "$DOCKER_SOCK" images --format '{{.Repository}}:{{.Tag}}' | grep -c "^$repo:" || true)
  if [ "$have" -ge 4 ]; then return; fi
  log "building local images $repo:v1, :v2, :broken, :plain"
  local work="$STATE/images/${repo//\//_}"; rm -rf "$work"; mkdir -p "$work/rootfs/bin" "$work/rootfs/www" "$work/rootfs/tmp"
  cp /bin/busybox "$work/rootfs/bin/busybox"
  for app in sh httpd sleep wget cat echo ls env id true false; do ln -sf busybox "$work/rootfs/bin/$app"; done
  mkdir -p "$work/rootfs/etc"
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001:app:/www:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$work/rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:10001:\nnobody:x:65534:\n' > "$work/rootfs/etc/group"
  tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
  local tag
  for tag in v1 v2 broken; do
    mkdir -p "$work/$tag/www"
    cp "$work/rootfs.tar" "$work/$tag/rootfs.tar"
    echo "$tag" > "$work/$tag/www/version"
    if [ "$tag" != broken ]; then echo '{"status":"UP"}' > "$work/$tag/www/health"; fi
    echo "<h1>releaseops $tag</h1>" > "$work/$tag/www/index.html"
    cat > "$work/$tag/Dockerfile" <<EOF
FROM scratch
ADD rootfs.tar /
COPY www/ /www/
LABEL org.opencontainers.image.version="$tag" org.releaseops.test="true"
EXPOSE 8080
HEALTHCHECK --interval=1s --timeout=2s --retries=3 --start-period=1s CMD ["/bin/wget","-q","-O","/dev/null","http://127.0.0.1:8080/health"]
CMD ["/bin/httpd","-f","-p","8080","-h","/www"]
EOF
    docker_build "$repo:$tag" "$work/$tag"
  done
  mkdir -p "$work/plain"; cp "$work/rootfs.tar" "$work/plain/rootfs.tar"
  printf 'FROM scratch\nADD rootfs.tar /\nUSER 10001\nCMD ["/bin/sleep","3600"]\n' > "$work/plain/Dockerfile"
  docker_build "$repo:plain" "$work/plain"
}

docker_build() { # docker_build TAG DIR
  DOCKER_BUILDKIT=0 docker -H "$DOCKER_SOCK" build -q -t "$1" "$2" >/dev/null 2>"$2/build.log" \
    || { cat "$2/build.log" >&2; die "building $1 failed"; }
}

postgres_up() {
  local dir="$STATE/pg" password; password=$(secret pg_password)
  mkdir -p "$dir"; chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "initialising PostgreSQL 15 cluster"
    local pwfile="$dir/superuser.pw"; secret pg_superuser_password > "$pwfile"; chown postgres "$pwfile"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust \
      --auth-host=scram-sha-256 --pwfile="$pwfile" >/dev/null
    rm -f "$pwfile"
  fi
  if runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then log "PostgreSQL already running"; else
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  fi
  runuser -u postgres -- psql -h "$dir" -p $PG_PORT -U postgres -qtA -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'releaseops') THEN
    CREATE ROLE releaseops LOGIN SUPERUSER PASSWORD '$password';
  ELSE
    ALTER ROLE releaseops PASSWORD '$password';
  END IF;
END \$\$;
SQL
  runuser -u postgres -- psql -h "$dir" -p $PG_PORT -U postgres -qtA -c "SELECT 1 FROM pg_database WHERE datname='releaseops'" | grep -q 1 \
    || runuser -u postgres -- createdb -h "$dir" -p $PG_PORT -U postgres -O releaseops releaseops
}

redis_up() {
  local password; password=$(secret redis_password)
  # A backup is a replica's SYNC: without repl-diskless-sync-delay 0, Redis 7 waits 5 s for more
  # replicas before it streams each snapshot (the tests take dozens of backups; nothing waits with them).
  if redis-cli -p $REDIS_PORT --no-auth-warning -a "$password" ping 2>/dev/null | grep -q PONG; then
    log "Redis already running"
    redis-cli -p $REDIS_PORT --no-auth-warning -a "$password" config set repl-diskless-sync-delay 0 >/dev/null
    return
  fi
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$STATE/redis"
  # The password goes in through a config file on stdin, not the command line (ps would show it).
  printf 'port %s\nbind 127.0.0.1\ndaemonize yes\ndir %s\npidfile %s\nlogfile %s\nrequirepass %s\nappendonly yes\nrepl-diskless-sync-delay 0\n' \
    $REDIS_PORT "$STATE/redis" "$STATE/redis/redis.pid" "$STATE/redis/redis.log" "$password" | redis-server - >/dev/null
  wait_for 20 Redis sh -c "redis-cli -p $REDIS_PORT --no-auth-warning -a '$password' ping | grep -q PONG"
}

nginx_up() {
  local dir="$STATE/nginx"
  mkdir -p "$dir/www" "$dir/logs"
  if [ ! -s "$dir/cert.pem" ]; then
    log "creating a self-signed TLS certificate for localhost"
    openssl req -x509 -newkey rsa:2048 -nodes -days 90 -subj /CN=localhost \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
  fi
  echo '{"status":"UP"}' > "$dir/www/health"
  echo '<h1>releaseops test nginx</h1>' > "$dir/www/index.html"
  # Basic auth in front of Prometheus: an apr1 hash nginx reads (openssl makes it; no htpasswd needed).
  printf 'releaseops:%s\n' "$(openssl passwd -apr1 "$(secret prometheus_password)")" > "$dir/monitoring.htpasswd"
  chmod 644 "$dir/monitoring.htpasswd"  # nginx workers (nobody) read it; it holds a hash of a test password
  cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp-body; proxy_temp_path $dir/tmp-proxy;
  fastcgi_temp_path $dir/tmp-fcgi; uwsgi_temp_path $dir/tmp-uwsgi; scgi_temp_path $dir/tmp-scgi;
  default_type application/json;
  server {
    listen 127.0.0.1:$NGINX_HTTP_PORT;
    root $dir/www;
    location = /to-https { return 301 https://localhost:$NGINX_HTTPS_PORT/; }
    location / { try_files \$uri \$uri/index.html =404; }
  }
  server {
    listen 127.0.0.1:$NGINX_HTTPS_PORT ssl;
    ssl_certificate $dir/cert.pem; ssl_certificate_key $dir/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $dir/www;
    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    add_header Content-Security-Policy "default-src 'self'" always;
    add_header X-Frame-Options DENY always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy no-referrer always;
    location / { try_files \$uri \$uri/index.html =404; }
  }
  # Prometheus and Alertmanager as a team exposes them: TLS, and basic auth or a bearer token.
  map \$http_authorization \$releaseops_monitoring_bearer { "Bearer $(secret prometheus_token)" 1; default 0; }
  server {
    listen 127.0.0.1:$MONITORING_PROXY_PORT ssl;
    ssl_certificate $dir/cert.pem; ssl_certificate_key $dir/key.pem;
    location /basic/ { auth_basic "prometheus"; auth_basic_user_file $dir/monitoring.htpasswd; proxy_pass http://127.0.0.1:$PROMETHEUS_PORT/; }
    location /bearer/ { if (\$releaseops_monitoring_bearer = 0) { return 401; } proxy_pass http://127.0.0.1:$PROMETHEUS_PORT/; }
    location /alertmanager/ { if (\$releaseops_monitoring_bearer = 0) { return 401; } proxy_pass http://127.0.0.1:$ALERTMANAGER_PORT/; }
  }
}
EOF
  if [ -s "$dir/nginx.pid" ] && kill -0 "$(cat "$dir/nginx.pid")" 2>/dev/null; then
    nginx -c "$dir/nginx.conf" -s reload 2>/dev/null; log "nginx reloaded"
  else
    log "starting nginx on 127.0.0.1:$NGINX_HTTP_PORT (http) and :$NGINX_HTTPS_PORT (https)"
    nginx -c "$dir/nginx.conf" 2>/dev/null
  fi
}

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_daemon() { # start_daemon PIDFILE LOG COMMAND...: in its own session, detached from this script
  local pidfile=$1 logfile=$2; shift 2
  setsid nohup "$@" >"$logfile" 2>&1 < /dev/null &
  echo $! > "$pidfile"
}

# Monitoring: Prometheus scrapes every fixture target the tests register (file_sd: a JSON file per
# fixture in targets/, its metrics file in fixtures/ served by busybox httpd), records one rule and
# alerts on a fixture that is down; Alertmanager delivers every alert to a webhook receiver (a CGI
# of busybox httpd that stores each POST and lists them on GET), and alerts labelled
# releaseops_route="broken" to a receiver nothing listens on. Configs are rewritten on every `up`
# and reloaded (SIGHUP) when the daemons already run.
monitoring_up() {
  local dir="$STATE/prometheus" am="$STATE/alertmanager"
  mkdir -p "$dir/data" "$dir/targets" "$dir/fixtures" "$am/data" "$am/www/cgi-bin" "$am/received"
  cat > "$dir/prometheus.yml" <<EOF
global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
rule_files: [ "$dir/rules.yml" ]
alerting:
  alertmanagers: [ { static_configs: [ { targets: [ "127.0.0.1:$ALERTMANAGER_PORT" ] } ] } ]
scrape_configs:
  - job_name: releaseops-fixtures
    file_sd_configs: [ { files: [ "$dir/targets/*.json" ], refresh_interval: 2s } ]
EOF
  cat > "$dir/rules.yml" <<'EOF'
groups:
  - name: releaseops-fixtures
    rules:
      - record: releaseops_fixture:up:sum
        expr: sum by (fixture) (up{job="releaseops-fixtures"})
      - alert: ReleaseOpsFixtureDown
        expr: up{job="releaseops-fixtures"} == 0
        labels: { severity: critical }
        annotations: { summary: "fixture {{ $labels.fixture }} does not answer" }
EOF
  cat > "$am/alertmanager.yml" <<EOF
route:
  receiver: releaseops-test
  group_by: [ '...' ]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - { matchers: [ 'releaseops_route="broken"' ], receiver: broken }
receivers:
  - name: releaseops-test
    webhook_configs: [ { url: 'http://127.0.0.1:$RECEIVER_PORT/cgi-bin/alerts', send_resolved: true } ]
  - name: broken
    webhook_configs: [ { url: 'http://127.0.0.1:$DEAD_RECEIVER_PORT/alerts', send_resolved: false } ]
EOF
  cat > "$am/www/cgi-bin/alerts" <<EOF
#!/bin/sh
# POST: store the notification; GET: every stored notification, one JSON document a line.
if [ "\$REQUEST_METHOD" = POST ]; then
  f="$am/received/\$(date +%s%N)-\$\$.json"
  head -c "\${CONTENT_LENGTH:-0}" > "\$f.tmp" && mv "\$f.tmp" "\$f"
  printf 'Content-Type: text/plain\r\n\r\nstored\n'
else
  printf 'Content-Type: application/x-ndjson\r\n\r\n'
  for f in "$am"/received/*.json; do [ -e "\$f" ] && { cat "\$f"; echo; }; done
fi
EOF
  chmod 755 "$am/www/cgi-bin/alerts"
  find "$am/received" -name "*.json" -mmin +1440 -delete
  if alive "$dir/prometheus.pid"; then kill -HUP "$(cat "$dir/prometheus.pid")"; log "Prometheus reloaded"; else
    log "starting Prometheus on 127.0.0.1:$PROMETHEUS_PORT"
    start_daemon "$dir/prometheus.pid" "$dir/prometheus.log" prometheus --config.file="$dir/prometheus.yml" \
      --storage.tsdb.path="$dir/data" --storage.tsdb.retention.time=1d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
  fi
  if alive "$am/alertmanager.pid"; then kill -HUP "$(cat "$am/alertmanager.pid")"; log "Alertmanager reloaded"; else
    log "starting Alertmanager on 127.0.0.1:$ALERTMANAGER_PORT"
    start_daemon "$am/alertmanager.pid" "$am/alertmanager.log" prometheus-alertmanager --config.file="$am/alertmanager.yml" \
      --storage.path="$am/data" --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address=
  fi
  alive "$dir/fixtures.pid" || start_daemon "$dir/fixtures.pid" "$dir/fixtures.log" busybox httpd -f -p "127.0.0.1:$FIXTURES_PORT" -h "$dir/fixtures"
  alive "$am/receiver.pid" || start_daemon "$am/receiver.pid" "$am/receiver.log" busybox httpd -f -p "127.0.0.1:$RECEIVER_PORT" -h "$am/www"
  wait_for 60 Prometheus busybox wget -q -O /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"
  wait_for 60 Alertmanager busybox wget -q -O /dev/null "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready"
  wait_for 10 "the webhook receiver" busybox wget -q -O /dev/null "http://127.0.0.1:$RECEIVER_PORT/cgi-bin/alerts"
}

write_env() {
  umask 077
  cat > "$ENV_FILE.tmp" <<EOF
RELEASEOPS_TEST_DOCKER_HOST=$DOCKER_SOCK
RELEASEOPS_TEST_PG_HOST=127.0.0.1
RELEASEOPS_TEST_PG_PORT=$PG_PORT
RELEASEOPS_TEST_PG_SOCKET_DIR=$STATE/pg
RELEASEOPS_TEST_PG_DATABASE=releaseops
RELEASEOPS_TEST_PG_USER=releaseops
RELEASEOPS_TEST_PG_PASSWORD=$(secret pg_password)
RELEASEOPS_TEST_REDIS_HOST=127.0.0.1
RELEASEOPS_TEST_REDIS_PORT=$REDIS_PORT
RELEASEOPS_TEST_REDIS_PASSWORD=$(secret redis_password)
RELEASEOPS_TEST_NGINX_HTTP=http://127.0.0.1:$NGINX_HTTP_PORT
RELEASEOPS_TEST_NGINX_HTTPS=https://localhost:$NGINX_HTTPS_PORT
RELEASEOPS_TEST_NGINX_CERT=$STATE/nginx/cert.pem
RELEASEOPS_TEST_PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT
RELEASEOPS_TEST_MONITORING_PROXY=https://localhost:$MONITORING_PROXY_PORT
RELEASEOPS_TEST_PROMETHEUS_USER=releaseops
RELEASEOPS_TEST_PROMETHEUS_PASSWORD=$(secret prometheus_password)
RELEASEOPS_TEST_PROMETHEUS_TOKEN=$(secret prometheus_token)
RELEASEOPS_TEST_PROMETHEUS_FIXTURES=$STATE/prometheus/fixtures
RELEASEOPS_TEST_PROMETHEUS_TARGETS=$STATE/prometheus/targets
RELEASEOPS_TEST_PROMETHEUS_FIXTURE_ADDRESS=127.0.0.1:$FIXTURES_PORT
RELEASEOPS_TEST_ALERTMANAGER_URL=http://127.0.0.1:$ALERTMANAGER_PORT
RELEASEOPS_TEST_ALERT_RECEIVER_URL=http://127.0.0.1:$RECEIVER_PORT/cgi-bin/alerts
RELEASEOPS_TEST_STATE=$STATE
EOF
  mv "$ENV_FILE.tmp" "$ENV_FILE"
  log "endpoints written to $ENV_FILE"
}

up() { # up [docker|postgres|redis|nginx|monitoring]... (default: all)
  need_root
  mkdir -p "$STATE"; chmod 755 "$STATE"
  install_packages
  local services=("$@"); [ ${#services[@]} -gt 0 ] || services=(docker postgres redis nginx monitoring)
  local service
  for service in "${services[@]}"; do
    case "$service" in
      docker) docker_up ;; postgres) postgres_up ;; redis) redis_up ;; nginx) nginx_up ;; monitoring) monitoring_up ;;
      *) die "unknown service '$service' (docker, postgres, redis, nginx, monitoring)" ;;
    esac
  done
  write_env
}

down() {
  [ -d "$STATE" ] || { log "nothing to stop"; return; }
  if docker -H "$DOCKER_SOCK" version >/dev/null 2>&1; then
    docker -H "$DOCKER_SOCK" swarm leave --force >/dev/null 2>&1 || true
    docker -H "$DOCKER_SOCK" ps -aq | xargs -r docker -H "$DOCKER_SOCK" rm -f >/dev/null 2>&1 || true
  fi
  if [ -s "$STATE/docker.pid" ]; then kill "$(cat "$STATE/docker.pid")" 2>/dev/null || true; fi
  [ -f "$STATE/pg/data/PG_VERSION" ] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$STATE/pg/data" -m fast stop >/dev/null 2>&1 || true
  [ -s "$STATE/redis/redis.pid" ] && kill "$(cat "$STATE/redis/redis.pid")" 2>/dev/null || true
  [ -s "$STATE/nginx/nginx.pid" ] && nginx -c "$STATE/nginx/nginx.conf" -s quit 2>/dev/null || true
  local pidfile
  for pidfile in "$STATE/prometheus/prometheus.pid" "$STATE/prometheus/fixtures.pid" "$STATE/alertmanager/alertmanager.pid" \
      "$STATE/alertmanager/receiver.pid"; do
    alive "$pidfile" && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  # Containers' shims and any nginx/redis the tests started under the state dir.
  pkill -f "$STATE" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while pgrep -f "$STATE/docker" >/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.3; done
  log "stopped"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  images) mkdir -p "$STATE"; build_images "${2:?usage: $0 images REPOSITORY}" ;;
  env) cat "$ENV_FILE" ;;
  *) echo "usage: $0 up [docker|postgres|redis|nginx|monitoring]... | images REPOSITORY | down | env" >&2; exit 2 ;;
esac
