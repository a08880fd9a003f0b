"""openapi.yaml read whole by a generator no one here wrote: openapi-python-client (pinned in
infra/scripts/client-test.sh) generates a Python client from it, and that client sends a CSV and
an XLSX bulk upload to `usher serve` and reads an XLSX export's bytes intact.

openapi-python-client knows bytes only as `application/octet-stream`; its `content_type_overrides`
setting names the media types that are bytes. One generation cannot send both uploads: both are
a `File` in Python, its generated dispatch picks the body by Python type, and so labels every
`File` with the last binary media type it saw. So the CSV upload comes from a second generation
of the same document (csv-bytes.yaml), the XLSX upload and the export from the first
(xlsx-bytes.yaml).

Environment: USHER_BIN, the usher binary (default target/debug/usher).
"""

from __future__ import annotations

import importlib
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import openpyxl
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
USHER_BIN = os.environ.get("USHER_BIN") or str(ROOT / "target" / "debug" / "usher")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """The two generated packages, `usher_xlsx` and `usher_csv`, importable."""
    out = tmp_path_factory.mktemp("generated")
    generator = Path(sys.executable).parent / "openapi-python-client"
    for name, config in [("usher_xlsx", "xlsx-bytes.yaml"), ("usher_csv", "csv-bytes.yaml")]:
        subprocess.run(
            [str(generator), "generate", "--path", str(ROOT / "openapi.yaml"), "--config", str(HERE / config),
             "--meta", "none", "--output-path", str(out / name)],
            check=True, capture_output=True, text=True,
        )
    sys.path.insert(0, str(out))
    return {name: importlib.import_module(name) for name in ("usher_xlsx", "usher_csv")}


@pytest.fixture(scope="session")
def usher():
    """`usher serve` on a free port with a throwaway data dir; a tenant and its owner's token."""
    data = Path(tempfile.mkdtemp(prefix="usher-py-"))
    run = lambda *a: subprocess.run([USHER_BIN, *a, "--data-dir", str(data)], check=True, capture_output=True, text=True).stdout
    tenant = json.loads(run("tenant", "create", "--name", "Python", "--owner-email", "owner@py.test", "--seats", "100"))["id"]
    owner = run("token", "--email", "owner@py.test", "--ttl-hours", "1").strip()
    port = free_port()
    proc = subprocess.Popen([USHER_BIN, "serve", "--port", str(port), "--data-dir", str(data), "--send-rate-per-second", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "USHER_LOG": "warn"})
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/v1/me/tenants", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # 401: it answers
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        raise RuntimeError("usher serve did not start")
    try:
        yield {"base": base, "tenant": tenant, "owner": owner}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def client(package, usher):
    return package.AuthenticatedClient(base_url=usher["base"], token=usher["owner"])


def test_a_generated_client_sends_a_csv_upload_and_gets_its_typed_report(generated, usher):
    pkg = generated["usher_csv"]
    create = importlib.import_module("usher_csv.api.invitations.create_invitation")
    types = importlib.import_module("usher_csv.types")
    models = importlib.import_module("usher_csv.models")
    csv = b"email,role,first_name\r\ncsv1@py.test,member,Ada\r\n,member,Nobody\r\n"
    r = create.sync_detailed(usher["tenant"], client=client(pkg, usher), body=types.File(payload=io.BytesIO(csv), mime_type="text/csv"))
    assert r.status_code == 200, r.content
    assert isinstance(r.parsed, models.BulkReport)
    assert [(row.row, row.outcome.value) for row in r.parsed.results] == [(1, "invited"), (2, "error")]
    assert r.parsed.results[1].code.value == "invalid_request"


def test_a_generated_client_sends_an_xlsx_upload_and_gets_its_typed_report(generated, usher):
    pkg = generated["usher_xlsx"]
    create = importlib.import_module("usher_xlsx.api.invitations.create_invitation")
    types = importlib.import_module("usher_xlsx.types")
    models = importlib.import_module("usher_xlsx.models")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["email", "role", "first_name", "last_name"])
    sheet.append(["xl1@py.test", "member", "Grace", "Hopper"])
    sheet.append(["xl2@py.test", "no-such-role", "Alan", "Turing"])
    buf = io.BytesIO()
    book.save(buf)
    r = create.sync_detailed(usher["tenant"], client=client(pkg, usher),
                             body=types.File(payload=io.BytesIO(buf.getvalue()), mime_type=XLSX))
    assert r.status_code == 200, r.content
    assert isinstance(r.parsed, models.BulkReport)
    assert [(row.email, row.outcome.value) for row in r.parsed.results] == [("xl1@py.test", "invited"), ("xl2@py.test", "error")]
    assert r.parsed.results[1].code.value == "unknown_role"


def test_a_generated_client_reads_an_xlsx_export_byte_for_byte(generated, usher):
    pkg = generated["usher_xlsx"]
    export = importlib.import_module("usher_xlsx.api.members.export_members")
    params = importlib.import_module("usher_xlsx.models")
    types = importlib.import_module("usher_xlsx.types")
    r = export.sync_detailed(usher["tenant"], client=client(pkg, usher),
                             format_=params.ExportMembersFormat.XLSX, include=params.ExportMembersInclude.INVITATIONS)
    assert r.status_code == 200, r.content
    assert r.headers["content-type"].startswith(XLSX)
    assert isinstance(r.parsed, types.File)
    data = r.parsed.payload.read()
    assert data == r.content and data[:4] == b"PK\x03\x04"  # the zip's bytes, none lost to text decoding
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:5] == ("id", "name", "username", "role", "email")
    assert {"owner@py.test", "csv1@py.test", "xl1@py.test"} <= {row[4] for row in rows[1:]}
