#!/usr/bin/env bash
# Supervisor's command for one hub process (deploy/supervisor/ocpizza.conf): ocpizza-hub.sh PORT
# Loads the hub's environment file, pins PORT and HOST, and becomes the node process (exec), so
# that Supervisor's SIGTERM reaches the hub directly. Runs in the release directory.
set -euo pipefail
port="${1:?usage: ocpizza-hub.sh PORT}"
[[ "$port" =~ ^[0-9]+$ ]] || { echo "ocpizza-hub.sh: '$port' is not a port" >&2; exit 64; }
# shellcheck source=../lib/env-file.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/env-file.sh"
# Defaults the environment file may override (as Environment= in the systemd unit).
export NODE_ENV=production TRUST_PROXY=true LOG_LEVEL=info DATA_DIR=/var/lib/ocpizza
load_env_file "${ENV_FILE:-/etc/ocpizza/hub.env}"
# GIT_SHA of the release (written by deploy/deploy.sh), for the error reports.
[ ! -f release.env ] || load_env_file release.env
export PORT="$port" HOST=127.0.0.1
# As `npm run start:hub`: instrument.ts first (Sentry must load before the rest).
exec ./node_modules/.bin/node --import tsx --import ./hub/src/instrument.ts hub/src/main.ts
