"""Run moto (the local DynamoDB/SES-compatible server) serving ONE request at a time.

Why: moto's TransactWriteItems is not thread-safe (it deep-copies tables as a rollback backup
while other request threads write to them), so under the stock threaded server, concurrent
transactions can fail with HTTP 500 or interleave. Served serially, every transaction is atomic
and isolated, as DynamoDB's are, and the project's race tests still interleave at request
granularity: one use case's reads and its guarded write are separate requests.

Usage: moto_serial.py HOST PORT
"""
import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, use_reloader=False)


if __name__ == "__main__":
    main()
