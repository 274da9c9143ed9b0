#!/usr/bin/env bash
# Installs what wcap-gateway needs on a Debian/Ubuntu machine, and only what is missing:
#   - radicale and redis-server (apt; the embedded CalDAV server and the test services)
#   - xandikos (apt; the second CalDAV server the backend contract tests run against)
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
# binary -> Debian package
declare -A PACKAGE_OF=([radicale]=radicale [redis-server]=redis-server [xandikos]=xandikos)
missing=()
for binary in radicale redis-server xandikos; do
  command -v "$binary" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$binary]}")
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
  trap 'rm -f "$log"' EXIT
  if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    fail "apt-get failed (output above)"
  fi
  for binary in radicale redis-server xandikos; do
    command -v "$binary" >/dev/null 2>&1 || fail "$binary still not found on PATH after installing ${PACKAGE_OF[$binary]}"
  done
fi
say "radicale $(radicale --version 2>/dev/null || echo '?'), $(redis-server --version | awk '{print $1, $2, $3}'), $(xandikos --version 2>/dev/null | awk '{print $NF}' || echo '?')"

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
