"""Runs PyPI's scim2-tester (its whole check suite) against a SCIM server and fails on any error.

Usage: python run_scim2_tester.py BASE_URL TOKEN

scim2-tester stops after discovery when it cannot authenticate (LOCAL-AWS.md), so this also
requires that the Users, Groups and PATCH checks actually ran: a run that skipped them is a
failure, not a pass.
"""

import sys
from collections import Counter

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def main() -> int:
    base, token = sys.argv[1], sys.argv[2]
    http = httpx2.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    client = SyncSCIMClient(http)
    results = check_server(client, raise_exceptions=False)
    counts = Counter(r.status.name for r in results)
    failed = [r for r in results if r.status in (Status.ERROR, Status.CRITICAL)]
    ran = Counter((r.resource_type or "-") for r in results if r.status == Status.SUCCESS)
    for r in results:
        mark = {"SUCCESS": "ok  ", "SKIPPED": "skip"}.get(r.status.name, "FAIL")
        print(f"{mark} {r.resource_type or '-':6} {r.title}: {r.reason or ''}"[:300])
    print(f"scim2-tester: {len(results)} checks: {dict(counts)}; succeeded per resource type: {dict(ran)}")
    if failed:
        print(f"scim2-tester: {len(failed)} checks failed", file=sys.stderr)
        return 1
    for resource in ("User", "Group"):
        if ran.get(resource, 0) < 10:
            print(f"scim2-tester: too few {resource} checks ran ({ran.get(resource, 0)}): discovery or auth stopped it", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
