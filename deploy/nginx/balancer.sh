#!/usr/bin/env bash
# Takes one hub process out of nginx's upstream before it is restarted (drain), or puts it back
# once it is ready (restore): deploy/deploy.sh runs it around each restart.
#
#   balancer.sh drain PORT      mark "server 127.0.0.1:PORT" down, reload nginx, wait for it
#   balancer.sh restore PORT    the same line up again
#
# Why: a process that stops closes its listening socket, and the kernel resets every connection
# still waiting in that socket's accept queue. nginx had already sent a request on it; for a POST
# (not idempotent) it may not resend, so the client got a 502 at every restart under load (seen in
# tests/e2e/nginx-rolling-restart.test.ts, one run in three on a 2-core machine). Told first, nginx
# sends nothing new to the process; what it already sent is answered by the drain.
#
# It returns once the reloaded nginx runs: new workers started and every old one shutting down
# (old workers finish what they carry, websockets included, but accept nothing new).
#
# Environment (defaults in brackets):
#   NGINX_SITE_CONF  [/etc/nginx/sites-available/ocpizza]  the site rendered by render.sh
#   NGINX_PID_FILE   [/run/nginx.pid]                      nginx master's pid file
#   NGINX_CMD        [nginx]                               nginx and its options (tests: -p -c)
#   RELOAD_TIMEOUT   [10]                                  seconds for the reload to take effect
#
# Installed root-owned outside the releases (a deploy user must not be able to edit what sudo
# runs): sudo install -m 0755 deploy/nginx/balancer.sh /usr/local/sbin/ocpizza-balancer
set -euo pipefail

fail() { printf 'balancer.sh: %s\n' "$*" >&2; exit 1; }
[ $# -eq 2 ] || fail "usage: balancer.sh drain|restore PORT"
action="$1"
port="$2"
[[ "$port" =~ ^[0-9]{1,5}$ ]] || fail "'$port' is not a port"
conf="${NGINX_SITE_CONF:-/etc/nginx/sites-available/ocpizza}"
pid_file="${NGINX_PID_FILE:-/run/nginx.pid}"
read -r -a nginx <<<"${NGINX_CMD:-nginx}"
timeout="${RELOAD_TIMEOUT:-10}"

line="^([[:space:]]*server 127\\.0\\.0\\.1:${port} max_fails=0)( down)?;"
grep -Eq "$line" "$conf" || fail "port $port is not an upstream server in $conf"
case "$action" in
  drain) replacement='\1 down;' ;;
  restore) replacement='\1;' ;;
  *) fail "unknown action '$action' (drain or restore)" ;;
esac

before="$(cat "$conf")"
sed -i -E "s/${line}/${replacement}/" "$conf"
# Never all of them down: nginx would answer every request 502.
if ! grep -Eq '^[[:space:]]*server 127\.0\.0\.1:[0-9]+ max_fails=0;' "$conf"; then
  printf '%s\n' "$before" >"$conf"
  fail "draining port $port would leave no hub process in nginx's upstream: nothing changed"
fi
if ! "${nginx[@]}" -t -q; then
  printf '%s\n' "$before" >"$conf"
  fail "nginx refused the edited configuration: $conf put back as it was"
fi

master="$(cat "$pid_file")"
workers() { pgrep -P "$master" | sort || true; }
old="$(workers)"
"${nginx[@]}" -s reload

# Reloaded once a worker that was not there before runs and every old one is gone or says
# "shutting down" in its process title (it no longer accepts connections).
reloaded() {
  local now pid
  now="$(workers)"
  [ -n "$(comm -13 <(printf '%s\n' "$old") <(printf '%s\n' "$now"))" ] || return 1
  for pid in $old; do
    [ -r "/proc/$pid/cmdline" ] || continue
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'shutting down' || return 1
  done
}
deadline=$((SECONDS + timeout))
until reloaded; do
  [ "$SECONDS" -lt "$deadline" ] || fail "nginx did not reload within ${timeout}s (master $master)"
  sleep 0.1
done
printf 'nginx: port %s %s\n' "$port" "$([ "$action" = drain ] && echo 'drained (down)' || echo 'restored (up)')"
