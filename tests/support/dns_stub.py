"""A DNS stub on loopback for the verified-domain tests (dnslib, pinned by with-moto.sh).

    python dns_stub.py RECORDS.json

Serves UDP and TCP on one free 127.0.0.1 port and prints that port on its first line. Every
query re-reads RECORDS.json, `{"<name>": ["<txt value>", ...] | "SERVFAIL"}`, so a test adds or
removes a TXT record by rewriting the file: a name that is absent answers NXDOMAIN, a list
answers those TXT records, "SERVFAIL" answers SERVFAIL (a resolver failure, not "no record").
"""

import json
import socket
import sys
import time

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class FileResolver(BaseResolver):
    def __init__(self, path):
        self.path = path

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        try:
            with open(self.path, encoding="utf-8") as f:
                records = {k.lower(): v for k, v in json.load(f).items()}
        except (OSError, ValueError):
            records = {}
        found = records.get(name)
        if found == "SERVFAIL":
            reply.header.rcode = RCODE.SERVFAIL
        elif found is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype in (QTYPE.TXT, QTYPE.ANY):
            for value in found:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


def free_port():
    # A port free for both UDP and TCP on loopback.
    for _ in range(50):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise SystemExit("no free port")


def main():
    resolver = FileResolver(sys.argv[1])
    port = free_port()
    # Quiet: stdout carries only the port (the test stops reading it after that line).
    quiet = DNSLogger(logf=lambda _line: None)
    udp = DNSServer(resolver, port=port, address="127.0.0.1", logger=quiet)
    tcp = DNSServer(resolver, port=port, address="127.0.0.1", tcp=True, logger=quiet)
    udp.start_thread()
    tcp.start_thread()
    print(port, flush=True)
    while udp.isAlive() and tcp.isAlive():
        time.sleep(0.5)


if __name__ == "__main__":
    main()
