"""Run moto (the local DynamoDB/SES-compatible server) serving ONE request at a time.

Why: moto's TransactWriteItems is not thread-safe (it deep-copies tables as a rollback backup
while other request threads write to them), so under the stock threaded server, concurrent
transactions can fail with HTTP 500 or interleave. Served serially, every transaction is atomic
and isolated, as DynamoDB's are, and the project's race tests still interleave at request
granularity: one use case's reads and its guarded write are separate requests.

Also: moto's state dump (`/moto-api/data.json`, which the tests read SES's sent messages
from) fails with HTTP 500 as soon as S3 holds an object whose `status` property cannot be read
(moto 5.2.5 raises NoSuchBucket from it for multipart parts and some keys), because the dump
only skips TypeError/AttributeError/ValueError. The dump here skips any attribute that raises.

And: moto keeps every model instance it ever creates (`instances_tracked`, for that dump), and
its TransactWriteItems deep-copies the tables as a rollback backup, so every transaction adds a
copy of every item to that list, forever: a 1000-row bulk call grew the server past 7 GB and
made each 100-write transaction slower than the one before (over 30 s). DynamoDB's models are
not tracked here (nothing reads them from the dump); SES's, S3's and SQS's still are.

Finally: moto's TransactWriteItems backs up the whole table once per *write* of the
transaction (a 100-write chunk copied a 3000-item table 100 times). The backup is taken once per
table per transaction here; what is restored on a failed condition is the same state.

Usage: moto_serial.py HOST PORT
"""
import copy
import json
import sys

from werkzeug.serving import run_simple

from moto.moto_api._internal.responses import MotoAPIResponse
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app


def model_data(self, request, full_url, headers):  # moto's, skipping attributes that raise
    from moto.core.model_instances import model_data as tracked

    results = {}
    for service in sorted(tracked):
        results[service] = {}
        for name in sorted(tracked[service]):
            results[service][name] = []
            for instance in tracked[service][name].instances_tracked:
                fields = {}
                for attr in dir(instance):
                    if attr.startswith("_"):
                        continue
                    try:
                        value = getattr(instance, attr)
                        json.dumps(value)
                    except Exception:  # noqa: BLE001 - a property that cannot be read is left out
                        continue
                    fields[attr] = value
                results[service][name].append(fields)
    return 200, {"Content-Type": "application/javascript"}, json.dumps(results)


MotoAPIResponse.model_data = model_data


class _Untracked(list):
    """An `instances_tracked` that keeps nothing."""

    def append(self, _instance) -> None:  # noqa: D401 - list protocol
        return None


def stop_tracking_dynamodb() -> None:
    import moto.dynamodb.models  # noqa: F401 - defines (and registers) the DynamoDB models
    from moto.core.model_instances import model_data as tracked

    for cls in tracked.get("dynamodb", {}).values():
        cls.instances_tracked = _Untracked()


stop_tracking_dynamodb()


class _CopyOncePerTransaction:
    """Stands in for the `copy` module inside moto's DynamoDB models: during a transaction,
    deep-copies each object once and hands the same backup out again."""

    def __init__(self) -> None:
        self.backups = None

    def deepcopy(self, value, memo=None):
        if self.backups is None:
            return copy.deepcopy(value, memo)
        if id(value) not in self.backups:
            self.backups[id(value)] = copy.deepcopy(value)
        return self.backups[id(value)]

    def __getattr__(self, name):
        return getattr(copy, name)


def back_up_each_table_once() -> None:
    import moto.dynamodb.models as models

    shim = _CopyOncePerTransaction()
    models.copy = shim
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        shim.backups = {}
        try:
            return original(self, transact_items)
        finally:
            shim.backups = None

    models.DynamoDBBackend.transact_write_items = transact_write_items


back_up_each_table_once()


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, use_reloader=False)


if __name__ == "__main__":
    main()
