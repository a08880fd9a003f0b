#!/usr/bin/env bash
# Fuzzes the running API against its contract: schemathesis (pinned, in a project-local
# .venv-fuzz) generates requests from openapi.yaml, valid and invalid, and sends them to
# `usher serve` (the whole API over the embedded store, on a free 127.0.0.1 port with a
# throwaway data dir), signed in as the owner of a real tenant so that requests get past
# authentication and reach the handlers. It expects no server error, and every status, content
# type, header and body to be the ones openapi.yaml documents. Bounded and reproducible: a
# fixed seed and a fixed number of cases per operation. The server is stopped by PID whatever
# happens; the exit status is non-zero on any failure.
#   bash infra/scripts/fuzz.sh [extra `st run` options, e.g. --max-examples 20]
# USHER_FUZZ_SEED and USHER_FUZZ_EXAMPLES override the seed and the cases per operation.
set -euo pipefail
cd "$(dirname "$0")/../.."

SCHEMATHESIS_VERSION=4.32.5
# The DNS stub the server looks verified domains up at (tests/support/dns_stub.py): no records,
# so a domain's verify answers at once, never a lookup timing out on a machine without DNS.
DNSLIB_VERSION=0.9.26
SEED="${USHER_FUZZ_SEED:-20261201}"
# 41 operations: the schema's examples, the coverage phase (boundary and just-invalid values of
# every parameter and field) and 35 random cases each, valid and invalid: about 3,300 cases.
EXAMPLES="${USHER_FUZZ_EXAMPLES:-35}"
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance

if ! command -v python3 >/dev/null 2>&1; then
  echo "usher: python3 is required (for schemathesis)" >&2
  exit 1
fi
if ! .venv-fuzz/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '${SCHEMATHESIS_VERSION}')" 2>/dev/null; then
  echo "==> schemathesis ${SCHEMATHESIS_VERSION} into .venv-fuzz"
  python3 -m venv .venv-fuzz
  .venv-fuzz/bin/pip install --quiet --disable-pip-version-check "schemathesis==${SCHEMATHESIS_VERSION}"
fi
if ! .venv-fuzz/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('dnslib') != '${DNSLIB_VERSION}')" 2>/dev/null; then
  .venv-fuzz/bin/pip install --quiet --disable-pip-version-check "dnslib==${DNSLIB_VERSION}"
fi

echo "==> the usher binary"
cargo build --quiet --locked -p usher
usher_bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/debug/usher"

work=$(mktemp -d)
server_pid=""
dns_pid=""
cleanup() {
  for pid in "$server_pid" "$dns_pid"; do
    if [ -n "$pid" ]; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT

data="$work/data"
# A tenant with its owner signed in: the fuzzer acts as that owner, in that tenant (and as the
# operator on the provisioning routes, which refuse a person's JWT).
tenant=$("$usher_bin" tenant create --name "Fuzz" --owner-email owner@fuzz.test --seats 100000 --data-dir "$data" 2>/dev/null \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
owner=$("$usher_bin" token --email owner@fuzz.test --name "Fuzz Owner" --ttl-hours 2 --data-dir "$data" 2>/dev/null)
member=$("$usher_bin" token --email member@fuzz.test --name "Fuzz Member" --ttl-hours 2 --data-dir "$data" 2>/dev/null)
operator=$("$usher_bin" token --email ops@fuzz.test --operator --ttl-hours 2 --data-dir "$data" 2>/dev/null)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
# Every request comes from 127.0.0.1 and half the bodies carry the same token: with the default
# budgets (30 a minute per address, 10 per token) the public token routes would answer mostly
# 429 and the fuzzer would never reach their handlers. The budgets have their own tests.
echo '{}' >"$work/dns-records.json"
.venv-fuzz/bin/python tests/support/dns_stub.py "$work/dns-records.json" >"$work/dns-port" &
dns_pid=$!
for _ in $(seq 100); do [ -s "$work/dns-port" ] && break; sleep 0.1; done
dns_port=$(head -1 "$work/dns-port")
USHER_LOG="${USHER_LOG:-warn}" "$usher_bin" serve --port "$port" --data-dir "$data" --dns-server "127.0.0.1:${dns_port}" \
  --rate-limit-per-minute 1000000 --token-rate-limit-per-minute 1000000 >"$work/server.log" 2>&1 &
server_pid=$!
python3 - "$port" <<'PY'
import sys, time, urllib.error, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/v1/me/tenants"
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
echo "==> usher serve is up on 127.0.0.1:${port} (pid ${server_pid}), tenant ${tenant}"

# Things for the path parameters to name, so requests reach the handlers instead of a 404: a
# pending invitation (and its token, from the outbox), a member (invited, and accepted with the
# link from the outbox), a custom role. Then every {tenantId}, {invitationId}, {userId} and
# {name} is one of these, and half the bodies' `token`s are that invitation's.
python3 - "$port" "$tenant" "$owner" "$member" "$data/outbox" "$work/schemathesis.toml" "$operator" <<'PY'
import glob, json, re, sys, time, urllib.request
port, tenant, owner, member, outbox, config, operator = sys.argv[1:]
base = f"http://127.0.0.1:{port}/v1/tenants/{tenant}"

def call(method, url, token, body):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode(),
                                 headers={"authorization": f"Bearer {token}", "content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)

def link_token(email):
    # serve answers once the invitation is saved; its background worker writes the email a
    # moment later.
    for _ in range(200):
        mails = [open(p).read() for p in sorted(glob.glob(f"{outbox}/*.eml"))]
        mine = [m for m in mails if f"To: {email}" in m]
        if mine:
            return re.search(r"#token=([A-Za-z0-9_-]{43})", mine[-1]).group(1)
        time.sleep(0.05)
    sys.exit(f"no email to {email} in {outbox} after 10 s")

invitation = call("POST", f"{base}/invitations", owner, {"email": "pending@fuzz.test", "role": "member"})["id"]
pending_token = link_token("pending@fuzz.test")
call("POST", f"{base}/invitations", owner, {"email": "member@fuzz.test", "role": "member"})
user = call("POST", f"http://127.0.0.1:{port}/v1/invitations/accept", member, {"token": link_token("member@fuzz.test")})["member"]["user_id"]
call("PUT", f"{base}/roles/fuzz-role", owner, {"permissions": ["members.read"], "description": "fuzz"})
with open(config, "w") as f:
    f.write(f"""# No state carried between runs (no replay of old crashes): every run is the same run.
[cache]
enabled = false

[parameters]
"path.tenantId" = "{tenant}"
"path.invitationId" = "{invitation}"
"path.userId" = "{user}"
"path.name" = "fuzz-role"
# Half the invitation tokens in bodies are a real one (the pending invitation's), half generated.
"body.token" = {{ dictionary = "tokens", probability = 0.5 }}

[dictionaries.tokens]
values = ["{pending_token}"]

[[operations]]
include-operation-id = ["createTenant", "getTenant", "updateTenant"]
headers = {{ Authorization = "Bearer {operator}" }}

# The development server knows no identity provider, so it has no userinfo endpoint: this
# route answers 501 userinfo_not_configured by design (documented), never another 5xx.
[[operations]]
include-operation-id = ["keepUserinfo"]
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "501"]
""")
PY

set +e
.venv-fuzz/bin/st --config-file "$work/schemathesis.toml" run openapi.yaml \
  --url "http://127.0.0.1:${port}" \
  -H "Authorization: Bearer ${owner}" \
  --checks "$CHECKS" \
  --phases examples,coverage,fuzzing \
  --mode all \
  --max-examples "$EXAMPLES" \
  --seed "$SEED" \
  --generation-database none \
  --workers 1 \
  --no-color \
  --report junit --report-junit-path "$work/junit.xml" \
  "$@" 2>&1 | tee "$work/st.log"
status=${PIPESTATUS[0]}
set -e

python3 - "$work/st.log" "$work/junit.xml" "$SEED" "$status" <<'PY'
import re, sys, xml.etree.ElementTree as ET
log, junit, seed, status = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
text = open(log, errors="replace").read()
cases = re.search(r"Test cases:\s*\n\s*(\d+) generated", text)
failures = re.search(r"(\d+) unique failures?\b", text)
try:
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    ops = sum(int(s.get("tests", 0)) for s in suites)
    failing = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
except Exception:
    ops, failing = "?", "?"
print(f"fuzz: {cases.group(1) if cases else '?'} cases over {ops} operations, "
      f"{failures.group(1) if failures else 0} unique failures in {failing} operations, seed {seed}: "
      f"{'OK' if status == 0 else f'FAILED (exit {status})'}")
PY
if [ "$status" -ne 0 ]; then
  echo "==> server log (last 40 lines)"
  tail -n 40 "$work/server.log" || true
fi
exit "$status"
