#!/usr/bin/env bash
# Browser tests of the web client (web/): pytest + Playwright (pinned, in a project-local
# .venv-browser) drive Debian's Chromium against `usher serve` (a free 127.0.0.1 port and a
# throwaway data dir per run; the fixtures start it and stop it by PID). Screenshots go to
# tests/browser/screenshots/.
#   bash infra/scripts/browser-test.sh [extra pytest options, e.g. -k bulk -x]
# USHER_BIN: the usher binary (default target/debug/usher; build it first: cargo build -p usher).
# USHER_WEB_DIR: serve web/ from this folder instead of the binary's embedded copy (for
#   editing the pages without rebuilding), e.g. USHER_WEB_DIR=web.
# CHROMIUM: the browser (default /usr/bin/chromium). Playwright's own browser download is
#   never used (no `playwright install`).
set -euo pipefail
cd "$(dirname "$0")/../.."

PLAYWRIGHT_VERSION=1.65.2
PYTEST_VERSION=9.2.0
# the fake OIDC provider of test_oidc.py signs its RS256 ID tokens with it
CRYPTOGRAPHY_VERSION=51.0.1
# the Domains tests' DNS stub (tests/support/dns_stub.py)
DNSLIB_VERSION=0.9.26
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export USHER_BIN="${USHER_BIN:-target/debug/usher}"

if ! command -v python3 >/dev/null 2>&1; then
  echo "usher: python3 is required (for pytest and Playwright)" >&2
  exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "==> chromium (apt-get)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

# The accessibility checks fetch axe-core (pinned, hash-checked) with `npm pack` (conftest.py).
if ! command -v npm >/dev/null 2>&1; then
  echo "==> npm (apt-get)"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
fi

if ! .venv-browser/bin/python -c "
import importlib.metadata as m, sys
sys.exit(m.version('playwright') != '${PLAYWRIGHT_VERSION}' or m.version('pytest') != '${PYTEST_VERSION}'
         or m.version('cryptography') != '${CRYPTOGRAPHY_VERSION}' or m.version('dnslib') != '${DNSLIB_VERSION}')" 2>/dev/null; then
  echo "==> playwright ${PLAYWRIGHT_VERSION}, pytest ${PYTEST_VERSION}, cryptography ${CRYPTOGRAPHY_VERSION} and dnslib ${DNSLIB_VERSION} into .venv-browser"
  python3 -m venv .venv-browser
  # as `python3.13 -m venv` does: the venv ignores itself, so a `git add -A` never takes it in
  printf '*\n' > .venv-browser/.gitignore
  .venv-browser/bin/pip install --quiet --disable-pip-version-check \
    "playwright==${PLAYWRIGHT_VERSION}" "pytest==${PYTEST_VERSION}" "cryptography==${CRYPTOGRAPHY_VERSION}" "dnslib==${DNSLIB_VERSION}"
fi

[ -f .venv-browser/.gitignore ] || printf '*\n' > .venv-browser/.gitignore

if [ ! -x "$USHER_BIN" ]; then
  echo "usher: no usher binary at ${USHER_BIN}: build it (cargo build -p usher) or set USHER_BIN" >&2
  exit 1
fi
case "$USHER_BIN" in /*) ;; *) USHER_BIN="$PWD/$USHER_BIN" ;; esac
if [ -n "${USHER_WEB_DIR:-}" ]; then
  case "$USHER_WEB_DIR" in /*) ;; *) export USHER_WEB_DIR="$PWD/$USHER_WEB_DIR" ;; esac
fi
export USHER_BIN

echo "==> browser tests ($("$CHROMIUM" --version 2>/dev/null | head -n 1), usher at ${USHER_BIN}${USHER_WEB_DIR:+, web from ${USHER_WEB_DIR}})"
exec .venv-browser/bin/python -m pytest tests/browser -p no:cacheprovider "$@"
