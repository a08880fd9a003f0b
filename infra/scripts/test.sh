#!/usr/bin/env bash
# Runs every test Usher has, from a clean checkout, installing what it needs:
#  - moto (the local DynamoDB/SES-compatible server) into a project-local .venv;
#  - then formatting, lints, and every test, with moto running on a free 127.0.0.1 port for
#    the adapter suites; moto is stopped by PID on exit, whatever happens.
# This is the README's test command; .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/../.."

MOTO_VERSION=5.2.5

if ! command -v cargo >/dev/null 2>&1; then
  echo "usher: the Rust toolchain (cargo) is required: https://rustup.rs" >&2
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "usher: python3 is required (for moto, the local AWS-compatible server)" >&2
  exit 1
fi

echo "==> local AWS server (moto ${MOTO_VERSION}) in .venv"
if ! .venv/bin/python -c "import moto, sys; sys.exit(moto.__version__ != '${MOTO_VERSION}')" 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==${MOTO_VERSION}"
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
echo "    moto is up on 127.0.0.1:${port} (pid ${moto_pid})"

# The SDK never reaches real AWS from the tests: static fake credentials, no metadata lookups.
export USHER_TEST_AWS_ENDPOINT="http://127.0.0.1:${port}"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true

echo "==> formatting"
cargo fmt --all --check

echo "==> lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> the SAM template (cfn-lint, serverless rules, sam validate, routes/IAM/SES checks)"
bash infra/scripts/check-template.sh

echo "==> sam build, offline (cargo-lambda + zig, x86_64): a bootstrap for every function"
bash infra/scripts/sam-build.sh

echo "==> the Lambda function binaries (the end-to-end suite runs them as Lambda does)"
cargo build --workspace --bins --locked

echo "==> tests (unit, API through the real handlers, races, storage contract on SQLite and DynamoDB, SES, functions end to end, CLI, consistency)"
cargo test --workspace --locked --no-fail-fast -- --include-ignored
