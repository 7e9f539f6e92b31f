#!/usr/bin/env bash
# Deploys a release of the OC Pizza hub on this server, then restarts the hub processes ONE AT A
# TIME, each waited for until it is ready, so that kitchens stay connected: the screens of the
# process being restarted reconnect through nginx to the others and resume from their last seq.
#
# Usage:
#   deploy.sh [--supervisor] [--dry-run] RELEASE.tar.gz   install, build, migrate, switch, roll
#   deploy.sh [--supervisor] [--dry-run] --restart-only   rolling restart of the current release
#   deploy.sh [--supervisor] [--dry-run] --rollback       current <- previous release, then roll
#
# The release is a tarball of the commit, made by `git archive --format=tar.gz -o ocpizza-<sha>.tar.gz
# <sha>` (the CI workflow makes it from the commit it tested and copies it here, with this deploy/
# folder to run the script from). A tarball rather than `git pull` on the server: the server needs
# no access to the repository (no deploy key), and what runs is exactly the commit CI tested.
#
# Steps of a deploy:
#   1. unpack into $OCPIZZA_ROOT/releases/<id>          (a new directory; nothing running is touched)
#   2. npm ci, npm run build                            (in the new directory)
#   3. npm run migrate                                  (with the hub's environment file)
#      Migrations are additive ("expand first"): they add tables, columns, indexes and never drop or
#      rename what the running code uses, so the processes still on the previous release keep
#      working — and stay ready: /readyz checks that THEIR migrations are applied. A destructive
#      change ("contract") ships in a later release, once no running code uses the old shape.
#   4. previous -> the old release, current -> the new one (symlinks renamed over atomically)
#   5. rolling restart: for each port, take it out of nginx (BALANCER_CMD drain), restart that
#      process, wait for its /readyz (bounded), put it back (BALANCER_CMD restore); a process that
#      does not get ready stops the deploy there, out of nginx, the others left running
#   6. keep the last $KEEP_RELEASES releases (never current or previous)
#
# Environment (defaults in brackets):
#   OCPIZZA_ROOT        [/opt/ocpizza]            holds releases/, current, previous
#   ENV_FILE            [/etc/ocpizza/hub.env]    the hub's environment (read for npm run migrate)
#   HUB_PORTS           [the instances of ocpizza.target, or of the supervisor group]
#   KEEP_RELEASES       [5]
#   READY_TIMEOUT       [60]                      seconds a restarted process has to become ready
#   RESTART_CMD         [sudo systemctl restart ocpizza-hub@{port}.service]
#                       (--supervisor: [sudo supervisorctl restart ocpizza-hub:ocpizza-hub-{port}])
#   READY_URL_TEMPLATE  [http://127.0.0.1:{port}/readyz]
#   BALANCER_CMD        [sudo /usr/local/sbin/ocpizza-balancer {action} {port}, when installed]
#                       takes a process out of nginx before its restart (deploy/nginx/balancer.sh);
#                       without it a POST reaching the process as it stops may get a 502
#   NPM                 [npm]
#   RELEASE_ID          [<UTC time>-<tarball name without ocpizza- and .tar.gz>]
# {port} is replaced by each hub port, {action} by drain or restore. The tests use RESTART_CMD / READY_URL_TEMPLATE / NPM to
# drive real hub processes (tests/e2e/nginx-rolling-restart.test.ts) and stubs.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

supervisor=0
dry_run=0
mode=deploy
tarball=""
while [ $# -gt 0 ]; do
  case "$1" in
    --supervisor) supervisor=1 ;;
    --dry-run) dry_run=1 ;;
    --restart-only) mode=restart ;;
    --rollback) mode=rollback ;;
    -h | --help) usage ;;
    -*) echo "deploy.sh: unknown option $1" >&2; usage ;;
    *) [ -z "$tarball" ] || usage; tarball="$1" ;;
  esac
  shift
done
if [ "$mode" = deploy ] && [ -z "$tarball" ]; then usage; fi
if [ "$mode" != deploy ] && [ -n "$tarball" ]; then usage; fi

OCPIZZA_ROOT="${OCPIZZA_ROOT:-/opt/ocpizza}"
ENV_FILE="${ENV_FILE:-/etc/ocpizza/hub.env}"
KEEP_RELEASES="${KEEP_RELEASES:-5}"
READY_TIMEOUT="${READY_TIMEOUT:-60}"
default_ready_url='http://127.0.0.1:{port}/readyz'
READY_URL_TEMPLATE="${READY_URL_TEMPLATE:-$default_ready_url}"
NPM="${NPM:-npm}"
# Not root: sudo without a password prompt, for exactly these commands (deploy/sudoers/ocpizza-deploy).
SUDO="sudo -n "
[ "$(id -u)" -ne 0 ] || SUDO=""
if [ "$supervisor" = 1 ]; then
  default_restart="${SUDO}supervisorctl restart ocpizza-hub:ocpizza-hub-{port}"
else
  default_restart="${SUDO}systemctl restart ocpizza-hub@{port}.service"
fi
RESTART_CMD="${RESTART_CMD:-$default_restart}"
default_balancer=""
[ ! -x /usr/local/sbin/ocpizza-balancer ] || default_balancer="${SUDO}/usr/local/sbin/ocpizza-balancer {action} {port}"
BALANCER_CMD="${BALANCER_CMD-$default_balancer}"

step() { printf '==> [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() { printf 'deploy.sh: %s\n' "$*" >&2; exit 1; }
# Runs a command, or only shows it with --dry-run.
run() {
  printf '    $ %s\n' "$*"
  [ "$dry_run" = 1 ] || "$@"
}
with_port() { local template="$1" port="$2"; printf '%s' "${template//\{port\}/$port}"; }
# BALANCER_CMD for one port: drain (out of nginx) or restore (back in).
balancer() {
  local action="$1" port="$2" cmd
  [ -n "$BALANCER_CMD" ] || return 0
  cmd="$(with_port "$BALANCER_CMD" "$port")"
  run bash -c "${cmd//\{action\}/$action}"
}

# ---- which hub processes -------------------------------------------------------------------------
discover_ports() {
  if [ -n "${HUB_PORTS:-}" ]; then
    printf '%s' "$HUB_PORTS"
  elif [ "$supervisor" = 1 ]; then
    ${SUDO}supervisorctl status 'ocpizza-hub:*' 2>/dev/null | sed -nE 's/^ocpizza-hub:ocpizza-hub-([0-9]+)[[:space:]].*/\1/p' | tr '\n' ' '
  else
    systemctl show -p Wants --value ocpizza.target 2>/dev/null | tr ' ' '\n' | sed -nE 's/^ocpizza-hub@([0-9]+)\.service$/\1/p' | sort -n | tr '\n' ' '
  fi
}
ports="$(discover_ports || true)"
for port in $ports; do
  [[ "$port" =~ ^[0-9]+$ ]] || fail "HUB_PORTS: '$port' is not a port"
done
[ -n "${ports// /}" ] || fail "no hub process found: set HUB_PORTS, or enable ocpizza-hub@PORT instances in ocpizza.target"

# ---- the hub's environment, for npm run migrate ----------------------------------------------------
# shellcheck source=lib/env-file.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/env-file.sh"

# ---- rolling restart ---------------------------------------------------------------------------------
wait_ready() {
  local url="$1" deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

rolling_restart() {
  local total=0 done_count=0 port
  for port in $ports; do total=$((total + 1)); done
  if [ -z "$BALANCER_CMD" ]; then
    step "no BALANCER_CMD (deploy/nginx/balancer.sh not installed): nginx is not told of the restarts, a POST reaching a process as it stops may get a 502"
  fi
  for port in $ports; do
    done_count=$((done_count + 1))
    step "restarting hub process $done_count/$total (port $port)"
    # Out of nginx first: nothing new reaches the process while it stops (deploy/nginx/balancer.sh).
    balancer drain "$port" || fail "nginx could not be told to leave port $port out; nothing restarted"
    if ! run bash -c "$(with_port "$RESTART_CMD" "$port")"; then
      balancer restore "$port" || true
      fail "the restart of port $port failed; the processes not yet restarted still run"
    fi
    local url
    url="$(with_port "$READY_URL_TEMPLATE" "$port")"
    if [ "$dry_run" = 1 ]; then
      printf '    (would wait up to %ss for %s)\n' "$READY_TIMEOUT" "$url"
      balancer restore "$port"
      continue
    fi
    if ! wait_ready "$url"; then
      fail "port $port is not ready after ${READY_TIMEOUT}s ($url): rolling restart stopped, that process left out of nginx, the processes not yet restarted still run. To go back: deploy.sh --rollback"
    fi
    step "port $port is ready"
    balancer restore "$port" || fail "port $port is ready but nginx could not be told to send to it again: run the BALANCER_CMD restore by hand"
  done
}

# ---- releases ----------------------------------------------------------------------------------------
releases="$OCPIZZA_ROOT/releases"

# Replaces the symlink $1 by one to $2 in one rename(2): readers see the old or the new, never none.
switch_link() {
  local link="$1" target="$2"
  run ln -sfn "$target" "$link.new"
  run mv -T "$link.new" "$link"
}

prune_releases() {
  local keep_current keep_previous name count=0
  keep_current="$(readlink "$OCPIZZA_ROOT/current" 2>/dev/null || true)"
  keep_previous="$(readlink "$OCPIZZA_ROOT/previous" 2>/dev/null || true)"
  while IFS= read -r name; do
    [ -n "$name" ] || continue
    count=$((count + 1))
    [ "$count" -gt "$KEEP_RELEASES" ] || continue
    case "releases/$name" in "$keep_current" | "$keep_previous") continue ;; esac
    step "removing old release $name"
    run rm -rf "${releases:?}/$name"
  done < <(ls -1 "$releases" 2>/dev/null | grep -v '^\.' | sort -r)
}

# One deploy at a time on this server (CI also serialises its deploy jobs).
if [ "$dry_run" = 0 ]; then
  mkdir -p "$releases"
  exec 9>"$OCPIZZA_ROOT/.deploy.lock"
  flock -n 9 || fail "another deploy is running (lock $OCPIZZA_ROOT/.deploy.lock)"
fi
[ "$dry_run" = 0 ] || step "dry run: nothing is changed"

case "$mode" in
  restart)
    step "rolling restart of $(readlink "$OCPIZZA_ROOT/current" 2>/dev/null || echo 'the current release') on ports $ports"
    rolling_restart
    ;;

  rollback)
    previous="$(readlink "$OCPIZZA_ROOT/previous" 2>/dev/null || true)"
    current="$(readlink "$OCPIZZA_ROOT/current" 2>/dev/null || true)"
    [ -n "$previous" ] || fail "no previous release to go back to"
    step "rolling back: current $current -> $previous"
    switch_link "$OCPIZZA_ROOT/current" "$previous"
    [ -z "$current" ] || switch_link "$OCPIZZA_ROOT/previous" "$current"
    rolling_restart
    ;;

  deploy)
    [ -f "$tarball" ] || fail "no release tarball at $tarball"
    name="$(basename "$tarball")"
    name="${name%.tar.gz}"
    name="${name%.tgz}"
    name="${name#ocpizza-}"
    id="${RELEASE_ID:-$(date -u +%Y%m%dT%H%M%SZ)-$name}"
    [[ "$id" =~ ^[A-Za-z0-9._-]+$ ]] || fail "release id '$id' has characters other than letters, digits, . _ -"
    release="$releases/$id"
    [ ! -e "$release" ] || fail "release $id already exists"

    step "unpacking $tarball into $release"
    # A failed install or build leaves no half release behind.
    if [ "$dry_run" = 0 ]; then
      trap 'rm -rf "$release"; echo "deploy.sh: release $id removed (deploy failed before the switch)" >&2' EXIT
    fi
    run mkdir -p "$release"
    run tar -xzf "$tarball" -C "$release"
    # The commit, for the hub's error reports (GIT_SHA, see .env.example): read by the units from
    # <release>/release.env (ocpizza-<sha>.tar.gz is how CI names the tarball).
    if [[ "$name" =~ ^[0-9a-f]{7,40}$ ]]; then
      step "release of commit $name"
      if [ "$dry_run" = 1 ]; then
        printf '    $ echo GIT_SHA=%s > %s/release.env\n' "$name" "$release"
      else
        printf 'GIT_SHA=%s\n' "$name" >"$release/release.env"
      fi
    fi

    step "installing dependencies (npm ci)"
    # --include=dev: the build needs vite and vue-tsc even if NODE_ENV=production is set here.
    run bash -c "cd '$release' && $NPM ci --include=dev --no-audit --no-fund"

    step "building the front ends (npm run build)"
    run bash -c "cd '$release' && $NPM run build"

    step "migrating the database (npm run migrate; additive: running processes are unaffected)"
    if [ "$dry_run" = 1 ]; then
      printf '    (with the environment of %s)\n' "$ENV_FILE"
      run bash -c "cd '$release' && $NPM run migrate"
    else
      (load_env_file "$ENV_FILE" && cd "$release" && $NPM run migrate) || fail "migration failed: nothing switched, nothing restarted"
    fi

    step "switching current to $id"
    old="$(readlink "$OCPIZZA_ROOT/current" 2>/dev/null || true)"
    [ -z "$old" ] || switch_link "$OCPIZZA_ROOT/previous" "$old"
    switch_link "$OCPIZZA_ROOT/current" "releases/$id"
    trap - EXIT

    rolling_restart
    prune_releases
    ;;
esac

step "done"
