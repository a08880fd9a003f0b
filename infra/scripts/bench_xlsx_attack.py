#!/usr/bin/env python3
"""The hostile-workbook benchmark (BENCHMARKS.md, "A hostile XLSX upload"): how far a running
`usher serve` grows when it is sent a small XLSX whose cells all point at one huge shared
string, by its owner and by a signed-in stranger.

    python3 infra/scripts/bench_xlsx_attack.py target/release/usher [MiB] [rows]

Starts the given `usher` binary on a free 127.0.0.1 port with a fresh data dir, reads the
server's peak resident size (VmHWM, /proc) before and after each upload, and prints one line per
upload. Loopback only; it stops the server by PID.
"""
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(size: int, rows: int) -> bytes:
    """Two read columns (`email`, `role`), every data cell pointing at shared string 2."""
    cells = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>2</v></c><c r="B{r}" t="s"><v>2</v></c></row>' for r in range(2, rows + 2)
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' + cells + "</sheetData></worksheet>"
    )
    strings = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<si><t>email</t></si><si><t>role</t></si><si><t>{'a' * size}</t></si></sst>"
    )
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>",
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


def peak_mib(pid: int) -> float:
    status = open(f"/proc/{pid}/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def main() -> None:
    binary = os.path.abspath(sys.argv[1])
    size = int(sys.argv[2]) * 1024 * 1024 if len(sys.argv) > 2 else 4 * 1024 * 1024
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 120
    data = tempfile.mkdtemp(prefix="usher-xlsx-attack-")
    cli = lambda *a: subprocess.run([binary, *a, "--data-dir", data], check=True, capture_output=True, text=True).stdout.strip()
    tenant = json.loads(cli("tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test", "--seats", "2000"))["id"]
    tokens = {who: cli("token", "--email", who) for who in ["owner@acme.test", "stranger@evil.example"]}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [binary, "serve", "--port", str(port), "--data-dir", data],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "USHER_LOG": "warn"},
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        body = workbook(size, rows)
        for who, token in tokens.items():
            before = peak_mib(server.pid)
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/v1/tenants/{tenant}/invitations", data=body, method="POST",
                headers={"authorization": f"Bearer {token}", "content-type": XLSX},
            )
            started = time.monotonic()
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    status, answer = r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                status, answer = e.code, e.read().decode()
            ms = (time.monotonic() - started) * 1000
            code = json.loads(answer).get("code", "") if answer.startswith("{") else ""
            after = peak_mib(server.pid)
            print(f"{who}: {len(body)} byte workbook ({size // (1024 * 1024)} MiB string x {rows * 2} cells) -> "
                  f"{status} {code} in {ms:.0f} ms; server peak RSS {before:.1f} -> {after:.1f} MiB (+{after - before:.1f})")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
