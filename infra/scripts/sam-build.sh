#!/usr/bin/env bash
# Builds the deployable stack offline, as a deploy would: `sam build --config-env dev` with the
# rust-cargolambda builder (cargo-lambda + zig, pinned, in .venv-infra), x86_64, then checks that
# every function in template.yaml got an executable x86-64 Linux `bootstrap`.
# First run on a cold machine: about 12 minutes on 2 cores (a release build per function; the
# dependencies are built once and shared).
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO_LAMBDA_VERSION=1.9.2
ZIGLANG_VERSION=0.17.1
VENV=.venv-infra
export SAM_CLI_TELEMETRY=0

[ -x "$VENV/bin/sam" ] || bash infra/scripts/check-template.sh >/dev/null
if ! "$VENV/bin/python" - <<PY 2>/dev/null; then
import importlib.metadata as m, sys
want = {"cargo-lambda": "$CARGO_LAMBDA_VERSION", "ziglang": "$ZIGLANG_VERSION"}
sys.exit(any(m.version(p) != v for p, v in want.items()))
PY
  echo "==> build tools (cargo-lambda ${CARGO_LAMBDA_VERSION}, ziglang ${ZIGLANG_VERSION}) in ${VENV}"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda==${CARGO_LAMBDA_VERSION}" "ziglang==${ZIGLANG_VERSION}"
fi

PATH="$PWD/$VENV/bin:$PATH" "$VENV/bin/sam" build --config-env dev

"$VENV/bin/python" - <<'PY'
import os, sys, yaml

class Loader(yaml.SafeLoader):
    pass

# CloudFormation short tags (!Ref, !Sub, ...) are irrelevant here: read them as plain values.
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
template = yaml.load(open("template.yaml"), Loader=Loader)
functions = [name for name, r in template["Resources"].items() if r.get("Type") == "AWS::Serverless::Function"]
problems = []
for name in functions:
    path = os.path.join(".aws-sam", "build", name, "bootstrap")
    if not os.path.isfile(path):
        problems.append(f"{name}: no bootstrap")
        continue
    with open(path, "rb") as f:
        head = f.read(20)
    # ELF magic, 64-bit, and e_machine 0x3E (x86-64) at offset 18.
    if head[:4] != b"\x7fELF" or head[4] != 2 or head[18:20] != b"\x3e\x00":
        problems.append(f"{name}: bootstrap is not an x86-64 ELF executable")
    elif not os.access(path, os.X_OK):
        problems.append(f"{name}: bootstrap is not executable")
    else:
        print(f"    {name}: bootstrap {os.path.getsize(path) / 1e6:.1f} MB")
if problems or len(functions) != 8:
    sys.exit("sam build check failed: " + "; ".join(problems or [f"expected 8 functions, found {len(functions)}"]))
print(f"sam build produced a bootstrap for all {len(functions)} functions")
PY
