"""Verifies Usher's webhook signatures with the Standard Webhooks reference library (PyPI
`standardwebhooks`), independently of Usher's own Rust implementation, and with the ten-line
check the README gives consumers (docs/examples/verify_webhook.py, which must appear in the
README word for word).

usage: verify_webhooks.py <webhook-secret file> <requests.json>
requests.json: [{"body": "...", "headers": {"webhook-id", "webhook-timestamp", "webhook-signature"}}]
Each request must verify, and the same request with its body changed must be refused."""

import json
import os
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "docs", "examples"))
from verify_webhook import verify  # noqa: E402  (the README's snippet)

snippet = open(os.path.join(ROOT, "docs", "examples", "verify_webhook.py")).read().strip()
if snippet not in open(os.path.join(ROOT, "README.md")).read():
    sys.exit("README.md does not show docs/examples/verify_webhook.py as it is")

secret = open(sys.argv[1]).read().strip()
requests = json.load(open(sys.argv[2]))
hook = Webhook(secret)
verified = refused = 0
for r in requests:
    hook.verify(r["body"], r["headers"])  # raises WebhookVerificationError if wrong
    if not verify(secret, r["headers"], r["body"].encode()):
        sys.exit(f"the README's check refused {r['headers']['webhook-id']}")
    if verify(secret, r["headers"], (r["body"] + " ").encode()):
        sys.exit(f"the README's check accepted a tampered body: {r['headers']['webhook-id']}")
    verified += 1
    try:
        hook.verify(r["body"] + " ", r["headers"])
    except WebhookVerificationError:
        refused += 1
    else:
        sys.exit(f"a tampered body verified: {r['headers']['webhook-id']}")
if not requests:
    sys.exit("no requests to verify")
print(f"verified {verified}, refused {refused} tampered")
