#!/usr/bin/env bash
# Builds the deployable stack offline, as a deploy would: `sam build --config-env dev` with the
# rust-cargolambda builder (cargo-lambda + zig, pinned, in .venv-infra), then checks that every
# function in template.yaml got an executable Linux `bootstrap` for the architecture built.
# arm64 (Graviton, the template's default) needs the aarch64 Rust standard library; it is added
# with rustup when missing. Where that cannot be done (no rustup, or no access to its server)
# the build falls back to x86_64 and says so.
# First run on a cold 2-core machine: see BENCHMARKS.md (a release build per function with fat
# LTO; the dependencies are built once and shared).
#
#   --check   what the test command runs: the same build without link-time optimisation (no LTO,
#             16 codegen units), which proves every function builds and links for Lambda in a
#             fraction of the time (fat LTO is about 3.5 minutes per function on 2 cores). The
#             bootstraps are larger than deployed ones; a deploy runs this script without
#             --check (or `sam build`), with Cargo.toml's release profile.
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO_LAMBDA_VERSION=1.9.2
ZIGLANG_VERSION=0.17.1
VENV=.venv-infra
export SAM_CLI_TELEMETRY=0

if [ "${1:-}" = "--check" ]; then
  echo "==> check build: release profile without LTO (the deployed build keeps fat LTO)"
  export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
elif [ -n "${1:-}" ]; then
  echo "usage: $0 [--check]" >&2
  exit 2
fi

[ -x "$VENV/bin/sam" ] || bash infra/scripts/check-template.sh >/dev/null
if ! "$VENV/bin/python" - <<PY 2>/dev/null; then
import importlib.metadata as m, sys
want = {"cargo-lambda": "$CARGO_LAMBDA_VERSION", "ziglang": "$ZIGLANG_VERSION"}
sys.exit(any(m.version(p) != v for p, v in want.items()))
PY
  echo "==> build tools (cargo-lambda ${CARGO_LAMBDA_VERSION}, ziglang ${ZIGLANG_VERSION}) in ${VENV}"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda==${CARGO_LAMBDA_VERSION}" "ziglang==${ZIGLANG_VERSION}"
fi

ARCH=arm64
if ! rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then
  echo "==> adding the Rust target aarch64-unknown-linux-gnu (arm64 Lambda)"
  # Bounded: on a machine that cannot reach rustup's server, fall back rather than hang.
  timeout 300 rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || ARCH=x86_64
fi
if [ "$ARCH" = arm64 ]; then
  echo "==> sam build --config-env dev (arm64)"
  PATH="$PWD/$VENV/bin:$PATH" "$VENV/bin/sam" build --config-env dev
else
  echo "==> sam build --config-env dev: cannot add the aarch64 Rust target here, building x86_64 instead"
  PATH="$PWD/$VENV/bin:$PATH" "$VENV/bin/sam" build --config-env dev --parameter-overrides "Stage=dev Architecture=x86_64"
fi

USHER_ARCH=$ARCH "$VENV/bin/python" - <<'PY'
import os, sys, yaml

class Loader(yaml.SafeLoader):
    pass

# CloudFormation short tags (!Ref, !Sub, ...) are irrelevant here: read them as plain values.
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
template = yaml.load(open("template.yaml"), Loader=Loader)
functions = [name for name, r in template["Resources"].items() if r.get("Type") == "AWS::Serverless::Function"]
arch = os.environ["USHER_ARCH"]
machine = {"arm64": b"\xb7\x00", "x86_64": b"\x3e\x00"}[arch]
problems = []
for name in functions:
    path = os.path.join(".aws-sam", "build", name, "bootstrap")
    if not os.path.isfile(path):
        problems.append(f"{name}: no bootstrap")
        continue
    with open(path, "rb") as f:
        head = f.read(20)
    # ELF magic, 64-bit, and e_machine at offset 18: 0xB7 (AArch64) or 0x3E (x86-64).
    if head[:4] != b"\x7fELF" or head[4] != 2 or head[18:20] != machine:
        problems.append(f"{name}: bootstrap is not a 64-bit {arch} ELF executable")
    elif not os.access(path, os.X_OK):
        problems.append(f"{name}: bootstrap is not executable")
    else:
        print(f"    {name}: bootstrap {os.path.getsize(path) / 1e6:.1f} MB")
# Every crate under functions/ is deployed, and nothing else is (ExportJobFunction runs
# deliver's binary: one build, two functions).
binaries = sorted({template["Resources"][name]["Metadata"]["BuildProperties"]["Binary"] for name in functions})
crates = sorted(d for d in os.listdir("functions") if os.path.isfile(os.path.join("functions", d, "Cargo.toml")))
if binaries != crates:
    problems.append(f"the template builds {binaries}, but functions/ has {crates}")
if problems:
    sys.exit("sam build check failed: " + "; ".join(problems))
print(f"sam build produced an {arch} bootstrap for all {len(functions)} functions")
PY
