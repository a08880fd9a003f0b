#!/usr/bin/env bash
# Runs every test Usher has, from a clean checkout, installing what it needs: formatting, lints,
# the template checks and `sam build` (tools pinned in .venv-infra), the web client in Chromium
# (apt-get, and Playwright pinned in .venv-browser), then every test with moto
# (the local DynamoDB/SES-compatible server, pinned in .venv) up on a free 127.0.0.1 port for
# the adapter suites (infra/scripts/with-moto.sh; stopped by PID whatever happens).
# This is the README's test command; .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "usher: the Rust toolchain (cargo) is required: https://rustup.rs" >&2
  exit 1
fi

echo "==> formatting"
cargo fmt --all --check

echo "==> lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> the SAM template (cfn-lint, serverless rules, sam validate, routes/IAM/SES checks)"
bash infra/scripts/check-template.sh

echo "==> sam build, offline (cargo-lambda + zig; arm64, else x86_64; no LTO in this check): a bootstrap for every function"
bash infra/scripts/sam-build.sh --check

echo "==> the Lambda function binaries (the end-to-end suite runs them as Lambda does)"
cargo build --workspace --bins --locked

echo "==> the web client in a real browser (pytest + Playwright, pinned in .venv-browser, driving Debian's chromium against usher serve)"
bash infra/scripts/browser-test.sh -q

echo "==> the API against openapi.yaml (schemathesis, pinned in .venv-fuzz; about 4,200 cases over 58 operations, fixed seed, 0 failures allowed)"
bash infra/scripts/fuzz.sh

echo "==> SCIM 2.0 against standard clients (scim2-tester every check, scim-sanity --strict; pinned in .venv-scim; 0 failures allowed)"
bash infra/scripts/scim-test.sh

echo "==> the clients: openapi.yaml linted (Spectral, Redocly), the TypeScript client's types current and its tests, a generated Python client (npm ci and .venv-pyclient, pinned; against usher serve)"
bash infra/scripts/client-test.sh

echo "==> tests (unit, API through the real handlers, races, storage contract on SQLite and DynamoDB, SES, functions end to end, CLI, consistency)"
bash infra/scripts/with-moto.sh cargo test --workspace --locked --no-fail-fast -- --include-ignored
