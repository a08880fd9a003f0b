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
transaction (a 100-write chunk copied a 3000-item table 100 times). Here a transaction checks
every condition first and keeps an undo log of the items it replaces instead
(`transactions_with_an_undo_log`): no table is copied.

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


def transactions_with_an_undo_log() -> None:
    """TransactWriteItems as DynamoDB runs it, without copying tables: every condition is
    checked against the state before the transaction (the items are distinct, so checking them
    all first is the same as checking each before its write), nothing is written if one fails,
    and a write that fails half-way (an invalid update expression) is undone from the items it
    replaced. moto's own version deep-copies each table it touches as a rollback backup, which
    made a 100-write transaction on a 3000-item table cost seconds."""
    import moto.dynamodb.models as models
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.comparisons import get_filter_expression

    def key_of(backend, op_type, op):
        if op_type == "Put":
            table = backend.get_table(op["TableName"])
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
            return key
        return op["Key"]

    def transact_write_items(self, transact_items):
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        targets = set()
        writes = []
        errors = []
        # 1. every condition, against the state before the transaction
        for item in transact_items:
            if len(list(item.keys())) > 1:
                raise TransactWriteSingleOpException
            op_type, op = next(iter(item.items()))
            original_item = None
            try:
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                key = key_of(self, op_type, op)
                target = (str(table_name), str(dict(sorted(key.items()))))
                if target in targets:
                    raise MultipleTransactionsException()
                targets.add(target)
                current = self.get_item(table_name, key)
                condition = op.get("ConditionExpression")
                if condition is not None:
                    check = get_filter_expression(condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues"))
                    if not check.expr(current):
                        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                            original_item = current.to_json()["Attributes"]
                        raise ConditionalCheckFailed(item=original_item)
                if op_type != "ConditionCheck":
                    before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
                    writes.append((op_type, op, table_name, key, before))
                errors.append((None, None, None))
            except MultipleTransactionsException:
                raise
            except ConditionalCheckFailed as e:
                errors.append(("ConditionalCheckFailed", str(e.message), original_item))
            except Exception as e:  # noqa: BLE001 - reported per item, as moto does
                errors.append((type(e).__name__, str(e), original_item))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)
        # 2. the writes (their conditions held); undone from the items they replaced if one fails
        done = []
        try:
            for op_type, op, table_name, key, before in writes:
                names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                if op_type == "Put":
                    self.put_item(table_name, op["Item"], expression_attribute_names=names, expression_attribute_values=values)
                elif op_type == "Delete":
                    self.delete_item(table_name, key, expression_attribute_names=names, expression_attribute_values=values)
                else:
                    self.update_item(
                        table_name, key, update_expression=op["UpdateExpression"],
                        expression_attribute_names=names, expression_attribute_values=values,
                    )
                done.append((table_name, key, before))
        except Exception:
            for table_name, key, before in reversed(done):
                if before is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, before)
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items


transactions_with_an_undo_log()


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, use_reloader=False)


if __name__ == "__main__":
    main()
