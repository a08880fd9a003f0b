"""Verifies Usher's webhook signatures with the Standard Webhooks reference library (PyPI
`standardwebhooks`), independently of Usher's own Rust implementation.

usage: verify_webhooks.py <webhook-secret file> <requests.json>
requests.json: [{"body": "...", "headers": {"webhook-id", "webhook-timestamp", "webhook-signature"}}]
Each request must verify, and the same request with its body changed must be refused."""

import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

secret = open(sys.argv[1]).read().strip()
requests = json.load(open(sys.argv[2]))
hook = Webhook(secret)
verified = refused = 0
for r in requests:
    hook.verify(r["body"], r["headers"])  # raises WebhookVerificationError if wrong
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
