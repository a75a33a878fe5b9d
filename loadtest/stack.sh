# The production stack on this machine, for loadtest/run and loadtest/faults (sourced,
# not run): gunicorn with DEBUG off, the task worker, a mail server that keeps what it
# is sent, and nginx in front with the repo's own configuration (deploy/nginx), changed
# only in its ports and paths. Each process's log lands in $OUT.
#
# Needs: BIN, OUT, APP_PORT (gunicorn), PROXY_PORT (nginx), SMTP_PORT; and the portal's
# environment (DATABASE_URL, REDIS_URL, ...) exported.

stack_pids=()

stack_remember() {
  stack_pids+=("$1")
}

stack_stop() {
  if [ -f "$OUT/nginx/nginx.pid" ]; then
    nginx -p "$OUT/nginx" -c nginx.conf -s stop 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$OUT/nginx/nginx.pid" ] || break; sleep 0.1; done
  fi
  for pid in "${stack_pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  stack_pids=()
}

stack_wait_for() {  # a URL, what it is
  for _ in $(seq 60); do
    if curl -s -o /dev/null -m 2 "$1"; then
      return 0
    fi
    sleep 0.5
  done
  echo "$2 did not answer $1 within 30 s. The logs are in $OUT." >&2
  return 1
}

stack_nginx_config() {
  mkdir -p "$OUT/nginx/logs"
  local dir
  dir="$(cd "$OUT/nginx" && pwd)"
  sed "s#127.0.0.1:8000#127.0.0.1:$APP_PORT#" deploy/nginx/http.conf >"$dir/http.conf"
  sed "s#/srv/holdfast/media/#$PORTAL_MEDIA_ROOT/#" deploy/nginx/locations.conf >"$dir/locations.conf"
  cat >"$dir/nginx.conf" <<NGINX
# The trial's nginx: deploy/nginx's site on plain HTTP, on 127.0.0.1:$PROXY_PORT.
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
$( [ "$(id -u)" = 0 ] && echo "user nobody nogroup;" )
events {
    worker_connections 2048;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $dir/logs/access.log;
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;
    include $dir/http.conf;
    server {
        listen 127.0.0.1:$PROXY_PORT;
        server_name 127.0.0.1;
        include $dir/locations.conf;
    }
}
NGINX
  mkdir -p "$dir/temp"
}

stack_start() {
  if ! command -v nginx >/dev/null; then
    echo "nginx is missing: apt-get install -y nginx (Debian's)." >&2
    return 1
  fi
  for port in "$APP_PORT" "$PROXY_PORT" "$SMTP_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "Something already listens on 127.0.0.1:$port; stop it first (an earlier run's?)." >&2
      return 1
    fi
  done

  # A mail server that keeps what it is given, so that the trial sees the worker's mail.
  $BIN/python -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Debugging stdout \
    >"$OUT/mail.log" 2>&1 &
  stack_remember $!

  PORT=$APP_PORT WEB_CONCURRENCY="${WEB_CONCURRENCY:-4}" $BIN/gunicorn portal.wsgi \
    --access-logfile "$OUT/gunicorn-access.log" >"$OUT/gunicorn-error.log" 2>&1 &
  stack_remember $!

  # A worker stops when the database fails under it; a supervisor (systemd's
  # Restart=always in production) starts it again.
  (
    trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM
    while true; do
      $BIN/python manage.py db_worker --no-reload --interval 0.5 &
      child=$!
      wait "$child" || true
      sleep 1
    done
  ) >"$OUT/worker.log" 2>&1 &
  stack_remember $!

  stack_nginx_config
  nginx -p "$OUT/nginx" -c nginx.conf -t -q || return 1
  nginx -p "$OUT/nginx" -c nginx.conf || return 1

  stack_wait_for "http://127.0.0.1:$APP_PORT/healthz" gunicorn || return 1
  stack_wait_for "http://127.0.0.1:$PROXY_PORT/healthz" "nginx in front of gunicorn" || return 1
}
