#!/usr/bin/env bash
# Runs a command with the local AWS-compatible server (moto, pinned, in a project-local .venv)
# up on a free 127.0.0.1 port, its address in USHER_TEST_AWS_ENDPOINT and fake AWS credentials
# in the environment; moto is stopped by PID when the command ends, whatever happens.
#   bash infra/scripts/with-moto.sh cargo test --workspace -- --include-ignored
set -euo pipefail
cd "$(dirname "$0")/../.."

MOTO_VERSION=5.2.5
# An independent Standard Webhooks implementation: the event tests verify Usher's signatures with it.
STANDARDWEBHOOKS_VERSION=1.1.0
# A DNS server library: the verified-domain tests run tests/support/dns_stub.py on loopback.
DNSLIB_VERSION=0.9.26

if ! command -v python3 >/dev/null 2>&1; then
  echo "usher: python3 is required (for moto, the local AWS-compatible server)" >&2
  exit 1
fi
if ! .venv/bin/python -c "import moto, sys; sys.exit(moto.__version__ != '${MOTO_VERSION}')" 2>/dev/null; then
  echo "==> local AWS server (moto ${MOTO_VERSION}) into .venv"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}"
fi
if ! .venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('standardwebhooks') != '${STANDARDWEBHOOKS_VERSION}')" 2>/dev/null; then
  echo "==> standardwebhooks ${STANDARDWEBHOOKS_VERSION} into .venv (verifies webhook signatures in the tests)"
  .venv/bin/pip install --quiet --disable-pip-version-check "standardwebhooks==${STANDARDWEBHOOKS_VERSION}"
fi

if ! .venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('dnslib') != '${DNSLIB_VERSION}')" 2>/dev/null; then
  echo "==> dnslib ${DNSLIB_VERSION} into .venv (the DNS stub of the verified-domain tests)"
  .venv/bin/pip install --quiet --disable-pip-version-check "dnslib==${DNSLIB_VERSION}"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
moto_log=$(mktemp)
.venv/bin/python infra/scripts/moto_serial.py 127.0.0.1 "$port" >"$moto_log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; rm -f "$moto_log"' EXIT
python3 - "$port" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/moto-api/"
for _ in range(100):
    try:
        urllib.request.urlopen(url, timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit("moto did not start")
PY
echo "==> moto is up on 127.0.0.1:${port} (pid ${moto_pid})"

# The SDK never reaches real AWS: static fake credentials, no metadata lookups.
export USHER_TEST_AWS_ENDPOINT="http://127.0.0.1:${port}"
export USHER_TEST_PYTHON="$PWD/.venv/bin/python"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
"$@"
