#!/usr/bin/env bash
# `npm run quickstart` (README command 1): from a fresh clone to a running gateway.
# Installs what is missing (scripts/setup.sh), builds, then runs the gateway in the foreground with
# the embedded Radicale (demo users from config/radicale/users) and in-memory state, unless
# WCAP_REDIS_URL is set. Stop it with Ctrl+C.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

bash scripts/setup.sh
node scripts/ensure-build.mjs

if [[ -n ${WCAP_CALDAV_URL:-} ]]; then
  echo "quickstart: ignoring WCAP_CALDAV_URL (the quickstart always uses the embedded Radicale; use 'npm start' for your own CalDAV server)"
fi
unset WCAP_CALDAV_URL
export WCAP_RADICALE_USERS="${WCAP_RADICALE_USERS:-$root/config/radicale/users}"
[[ -r $WCAP_RADICALE_USERS ]] || {
  echo "quickstart: users file $WCAP_RADICALE_USERS not readable" >&2
  exit 1
}

# The first user of the (plain-text) users file makes the example; "user:password" per line.
users=$(grep -v '^[[:space:]]*#' "$WCAP_RADICALE_USERS" | grep ':' || true)
first=${users%%$'\n'*}
demo_user=${first%%:*}
demo_password=${first#*:}
user_names=$(cut -d: -f1 <<<"$users" | paste -sd, - | sed 's/,/, /g')

port=${WCAP_PORT:-8080}
host=${WCAP_HOST:-127.0.0.1}
case $host in 0.0.0.0 | :: | '[::]') host=127.0.0.1 ;; esac
base="http://$host:$port/"

if [[ -n ${WCAP_REDIS_URL:-} ]]; then
  state="Redis at $WCAP_REDIS_URL"
else
  state="in memory (sessions end when the gateway stops)"
fi

cat <<EOF

wcap-gateway quickstart
  WCAP URL for your client:  $base
  Demo users:                ${user_names:-none} (passwords in ${WCAP_RADICALE_USERS#"$root"/})
  CalDAV:                    embedded Radicale, calendars in ${WCAP_DATA_DIR:-./data}/radicale/
  State:                     $state
  Try it (another terminal):
    curl '${base}login.wcap?user=${demo_user}&password=${demo_password}&fmt-out=text/calendar'
  Stop with Ctrl+C.

EOF

exec node dist/main.js
