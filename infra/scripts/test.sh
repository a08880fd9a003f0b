#!/usr/bin/env bash
# Runs every test Usher has, from a clean checkout, installing what it needs.
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

echo "==> tests (unit, API through the real handlers, races, storage contract, CLI, consistency)"
cargo test --workspace --locked --no-fail-fast
