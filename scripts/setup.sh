#!/usr/bin/env bash
# Installs what wcap-gateway needs on a Debian/Ubuntu machine, and only what is missing:
#   - radicale, redis-server and Cyrus (cyrus-imapd cyrus-caldav cyrus-admin sasl2-bin) from apt:
#     the embedded CalDAV server and the test services
#   - xandikos (apt; the third CalDAV server the backend contract tests run against)
#   - node_modules (npm ci) when absent or older than package-lock.json
# Safe to run again: a second run only checks. Non-interactive (CI has no stdin).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*"; }
fail() {
  printf 'setup: %s\n' "$*" >&2
  exit 1
}

# --- Node.js (not installed here: Debian's nodejs is too old; see README) -------------------------
command -v node >/dev/null 2>&1 || fail "node not found; install Node.js 20.19 or later (https://nodejs.org/) and run again"
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  fail "Node.js $(node --version) is too old; 20.19 or later is required"
fi

# --- System packages -------------------------------------------------------------------------------
# What the gateway and its tests run: Radicale and Redis (embedded CalDAV server, test services) and
# Cyrus IMAP with CalDAV (the second CalDAV server of the test suite, test/support/cyrus.ts), and
# Xandikos (the third, test/support/xandikos.ts).
# check (a file, or a binary on PATH) -> Debian package
declare -A PACKAGE_OF=(
  [radicale]=radicale
  [redis-server]=redis-server
  [/usr/lib/cyrus/bin/master]=cyrus-imapd
  [/usr/lib/cyrus/bin/httpd]=cyrus-caldav
  [cyradm]=cyrus-admin
  [saslpasswd2]=sasl2-bin
  [xandikos]=xandikos
)
present() { if [[ $1 == /* ]]; then [[ -x $1 ]]; else command -v "$1" >/dev/null 2>&1; fi; }
missing=()
for check in "${!PACKAGE_OF[@]}"; do
  present "$check" || missing+=("${PACKAGE_OF[$check]}")
done

if ((${#missing[@]} > 0)); then
  command -v apt-get >/dev/null 2>&1 ||
    fail "missing ${missing[*]} and apt-get is not available; install them with your package manager"
  if [[ $(id -u) -ne 0 ]]; then
    fail "missing ${missing[*]}; install as root, then run 'npm run setup' again:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  say "installing ${missing[*]} (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  # Package scripts must not start system services (cyrus-imapd and redis-server would, on the
  # standard ports): the tests start their own instances. policy-rc.d exit 101 = "action forbidden"
  # (/usr/share/doc/init-system-helpers/README.policy-rc.d); one already in place is left alone.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
  fi
  trap 'rm -f "$log"; if ((own_policy)); then rm -f "$policy"; fi' EXIT
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    fail "apt-get failed (output above)"
  fi
  for check in "${!PACKAGE_OF[@]}"; do
    present "$check" || fail "$check still not found after installing ${PACKAGE_OF[$check]}"
  done
fi
say "radicale $(radicale --version 2>/dev/null || echo '?'), $(redis-server --version | awk '{print $1, $2, $3}'), cyrus-imapd $(dpkg-query -W -f='${Version}' cyrus-imapd 2>/dev/null || echo '?'), $(xandikos --version 2>/dev/null | awk '{print $NF}' || echo '?')"

# --- npm dependencies ------------------------------------------------------------------------------
# npm rewrites node_modules/.package-lock.json on every install, so it dates the last install.
stamp=node_modules/.package-lock.json
lock=package-lock.json
[[ -f $lock ]] || lock=package.json
if [[ ! -f $stamp || $lock -nt $stamp ]]; then
  if [[ -f package-lock.json ]]; then
    say "installing npm dependencies (npm ci)…"
    npm ci --no-audit --no-fund --loglevel=error
  else
    say "installing npm dependencies (npm install; no package-lock.json)…"
    npm install --no-audit --no-fund --loglevel=error
  fi
else
  say "npm dependencies are up to date"
fi
say "done"
