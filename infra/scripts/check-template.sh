#!/usr/bin/env bash
# Checks template.yaml, offline, no AWS account needed:
#  1. cfn-lint (CloudFormation + SAM schema);
#  2. cfn-lint with the serverless rules (cfn-lint-serverless); remaining findings must be
#     suppressed on the resource with a justified `Metadata: cfn-lint: config: ignore_checks`;
#  3. `sam validate --lint`;
#  4. check_template.py: routes == routes.rs == openapi.yaml, functions, IAM, SES, environment.
# Installs the pinned tools into .venv-infra (kept apart from .venv, which holds moto) on first
# use. cfn-lint's exit code is a bitmask (2 errors, 4 warnings, 8 informational): any non-zero fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

CFN_LINT_VERSION=1.58.0
CFN_LINT_SERVERLESS_VERSION=0.3.6
SAM_CLI_VERSION=1.170.0
VENV=.venv-infra
export SAM_CLI_TELEMETRY=0

if ! "$VENV/bin/python" - <<PY 2>/dev/null; then
import importlib.metadata as m, sys
want = {"cfn-lint": "$CFN_LINT_VERSION", "cfn-lint-serverless": "$CFN_LINT_SERVERLESS_VERSION", "aws-sam-cli": "$SAM_CLI_VERSION"}
sys.exit(any(m.version(p) != v for p, v in want.items()))
PY
  echo "==> template tools (cfn-lint ${CFN_LINT_VERSION}, cfn-lint-serverless ${CFN_LINT_SERVERLESS_VERSION}, aws-sam-cli ${SAM_CLI_VERSION}) in ${VENV}"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "cfn-lint==${CFN_LINT_VERSION}" "cfn-lint-serverless==${CFN_LINT_SERVERLESS_VERSION}" "aws-sam-cli==${SAM_CLI_VERSION}"
fi

echo "==> cfn-lint template.yaml"
"$VENV/bin/cfn-lint" template.yaml
echo "==> cfn-lint template.yaml -a cfn_lint_serverless.rules"
"$VENV/bin/cfn-lint" template.yaml -a cfn_lint_serverless.rules
echo "==> sam validate --lint"
# A region is needed to resolve pseudo parameters; nothing is contacted.
"$VENV/bin/sam" validate --lint --template-file template.yaml --region eu-west-1
echo "==> template vs routes.rs, openapi.yaml, config.rs, IAM and SES"
"$VENV/bin/python" infra/scripts/check_template.py
