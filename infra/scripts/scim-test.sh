#!/usr/bin/env bash
# Proves /scim/v2 with SCIM clients no one here wrote, against `usher serve` (the whole service
# over the embedded store, on a free 127.0.0.1 port with a throwaway data dir): PyPI's
# scim2-tester (its whole check suite: discovery, Users, Groups, PATCH; the only skips are the
# ones the tester itself decides) and scim-sanity's probe in strict mode. Both pinned, in a
# project-local .venv-scim. Zero failures allowed; the server is stopped by PID whatever happens.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCIM2_TESTER_VERSION=0.5.2
SCIM_SANITY_VERSION=0.7.4

if ! command -v python3 >/dev/null 2>&1; then
  echo "usher: python3 is required (for the SCIM testers)" >&2
  exit 1
fi
if ! .venv-scim/bin/python -c "
import importlib.metadata as m, sys
sys.exit(m.version('scim2-tester') != '${SCIM2_TESTER_VERSION}' or m.version('scim-sanity') != '${SCIM_SANITY_VERSION}')" 2>/dev/null; then
  echo "==> scim2-tester ${SCIM2_TESTER_VERSION} and scim-sanity ${SCIM_SANITY_VERSION} into .venv-scim"
  python3 -m venv .venv-scim
  .venv-scim/bin/pip install --quiet --disable-pip-version-check \
    "scim2-tester[httpx2]==${SCIM2_TESTER_VERSION}" "scim-sanity==${SCIM_SANITY_VERSION}"
fi

echo "==> the usher binary"
cargo build --quiet --locked -p usher
usher_bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/debug/usher"

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

data="$work/data"
# Each tester gets a tenant of its own (with a seat limit, so provisioning meets it too) and a
# SCIM token made the way an operator makes one.
tenant_for() {
  "$usher_bin" tenant create --name "$1" --owner-email "owner@$2.test" --seats 1000 --data-dir "$data" 2>/dev/null \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
token_for() {
  "$usher_bin" scim-token create --tenant "$1" --name "$2" --data-dir "$data" 2>/dev/null \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
tester_token=$(token_for "$(tenant_for "SCIM tester" tester)" scim2-tester)
sanity_token=$(token_for "$(tenant_for "SCIM sanity" sanity)" scim-sanity)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
USHER_LOG="${USHER_LOG:-warn}" "$usher_bin" serve --port "$port" --data-dir "$data" >"$work/server.log" 2>&1 &
server_pid=$!
python3 - "$port" <<'PY'
import sys, time, urllib.error, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/scim/v2/ServiceProviderConfig"
for _ in range(200):
    try:
        urllib.request.urlopen(url, timeout=1)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # 401: it answers
    except Exception:
        time.sleep(0.1)
sys.exit("usher serve did not start")
PY
base="http://127.0.0.1:${port}/scim/v2"
echo "==> usher serve is up on 127.0.0.1:${port} (pid ${server_pid})"

status=0
echo "==> scim2-tester ${SCIM2_TESTER_VERSION}: every check"
.venv-scim/bin/python tests/scim/run_scim2_tester.py "$base" "$tester_token" >"$work/scim2-tester.log" 2>&1 || status=1
grep -v '^ok ' "$work/scim2-tester.log" || true
echo "==> scim-sanity ${SCIM_SANITY_VERSION}: probe --strict"
if ! .venv-scim/bin/scim-sanity probe "$base" --token "$sanity_token" --strict --i-accept-side-effects >"$work/scim-sanity.log" 2>&1; then
  status=1
  cat "$work/scim-sanity.log"
else
  grep -E 'FAIL|passed|Result' "$work/scim-sanity.log" || true
fi
if [ "$status" -ne 0 ]; then
  echo "usher: the SCIM testers found failures (server log below)" >&2
  tail -50 "$work/server.log" >&2
fi
exit "$status"
