#!/usr/bin/env python3
"""Checks template.yaml against the code it deploys (run by infra/scripts/check-template.sh).

- The HTTP API routes in template.yaml == the routes in shared/http/src/routes.rs == the paths
  in openapi.yaml (method + path template), each served by the function routes.rs names, with
  the authorizer its access level calls for (Public: NONE; User: the JWT authorizer;
  Operator: AWS_IAM).
- Every crate under functions/ is a function built from the workspace root by its binary.
- No IAM statement that allows has an Action containing `*` (a Deny may: the export bucket's
  TLS-only policy denies s3:*), none uses NotAction; every function's policies are inline
  documents (no SAM policy templates or managed policies); SES actions are only
  ses:SendEmail. Which actions each function gets is checked exactly, against the calls its
  code makes, by tests/iam.rs (it needs moto and the SDK, so it runs under cargo test).
- Email goes through the delivery queue: only DeliverFunction is granted ses:SendEmail; every
  statement granting sqs:SendMessage is on DeliveryQueue only; DeliveryQueue is encrypted and
  redrives to DeliveryDeadLetterQueue (encrypted too); DeliverFunction consumes DeliveryQueue
  through an SQS event that reports batch item failures; the queue's VisibilityTimeout is at
  least 6 x DeliverFunction's Timeout; the DLQ and queue-age alarms watch the two queues.
- Export files: ExportBucket is an S3 bucket with default encryption, all four public-access
  blocks on, a lifecycle rule expiring objects after 1 day and one aborting incomplete
  multipart uploads after 1 day (both covering exports/), and a bucket policy denying every
  request not over TLS (aws:SecureTransport false) on the bucket and its objects. S3 actions in
  function policies are only s3:PutObject and s3:AbortMultipartUpload (DeliverFunction, which
  writes the files) and s3:GetObject (ExportFunction, which presigns the download links), each
  only on !Sub "${ExportBucket.Arn}/exports/*"; USHER_EXPORT_BUCKET is !Ref ExportBucket.
- Events (publish, webhook, feedback): the table has a stream with the new image; PublishFunction
  reads it (a DynamoDB event on !GetAtt Table.StreamArn, ReportBatchItemFailures, one batch per
  shard at a time, no bisecting, retried without limit (MaximumRetryAttempts -1), a filter
  passing only inserted audit items, an SQS on-failure destination PublishDeadLetterQueue with
  Type SQS so SAM grants the send) and is the only function granted events:PutEvents, only on
  !GetAtt EventBus.Arn, with USHER_EVENT_BUS = !Ref EventBus, and sqs:SendMessage only on
  PublishParkedQueue (USHER_PUBLISH_PARKED_QUEUE_URL). The webhook (Condition HasWebhook
  on all of it): WebhookRule on the bus targets WebhookQueue with a DeadLetterConfig on
  WebhookDeadLetterQueue; both queues are encrypted, have a policy letting only
  events.amazonaws.com send with aws:SourceArn = the rule; WebhookQueue redrives to the DLQ
  (a backstop well above the schedule's eight attempts, which the function counts in the
  message itself and parks on its own), keeps messages longer than the schedule lasts, and has
  VisibilityTimeout >= 6 x WebhookFunction's Timeout; WebhookFunction consumes it reporting
  batch item failures, at a bounded MaximumConcurrency, is the only function granted
  ssm:GetParameter (on the WebhookSecretParameter parameter only), and sqs:SendMessage only on
  WebhookQueue and WebhookDeadLetterQueue (USHER_WEBHOOK_QUEUE_URL,
  USHER_WEBHOOK_DEAD_LETTER_QUEUE_URL). Feedback: FeedbackFunction has an SNS
  event on FeedbackTopic and a DeadLetterQueue; the created configuration set's event
  destination sends bounce and complaint to FeedbackTopic; USHER_SES_CONFIGURATION_SET is the
  operator's set or the created one, and deliver's ses:SendEmail covers the set in both cases.
  Every event DLQ has an alarm on ApproximateNumberOfMessagesVisible; PublishFunction has an
  IteratorAge alarm.
- samconfig.toml: each stage (dev, staging, prod) builds and deploys stack `usher-<stage>` with
  `Stage=<stage>`, the same Architecture for build and deploy, and only parameters the template
  declares; every template parameter without a default is given.
- Every USHER_* variable shared/lambda/src (config.rs, lib.rs, events.rs) or a function crate
  reads is set, USHER_JWT_HS256_SECRET is not, secrets
  (USHER_CURSOR_SECRET) are dynamic references to a secret the stack generates, and the log
  phrases the email-failure metric filters look for still exist in the Rust sources
  (shared/ and functions/).

Needs PyYAML only (the .venv-infra has it). Exit 0 = all good; 1 = findings, listed.
"""

# Variables only local end-to-end runs set (a shared HS256 secret, a wider SDK budget for the
# local AWS server, and the switch that allows both).
LOCAL_ONLY = {"USHER_JWT_HS256_SECRET", "USHER_LOCAL_SDK_ATTEMPT_SECS", "USHER_LOCAL_E2E", "USHER_DNS_SERVER"}
# Variables holding a secret: set from a secret the stack generates, by dynamic reference.
SECRETS = {"USHER_CURSOR_SECRET"}

import json
import pathlib
import re
import sys
import tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
ROUTES_RS = ROOT / "shared/http/src/routes.rs"
WEB_RS = ROOT / "shared/web/src/lib.rs"
WEB_FUNCTION = "web"  # the binary serving the pages
SCIM_FUNCTION = "scim"  # the binary serving SCIM 2.0 (its own bearer: no JWT authorizer)
SCIM_ROUTES = {("ANY", "/scim/v2/{proxy+}")}
FUNCTIONS_DIR = ROOT / "functions"
CONFIG_RS = ROOT / "shared/lambda/src/config.rs"
LAMBDA_SRC = ROOT / "shared/lambda/src"
OPENAPI = ROOT / "openapi.yaml"
SAMCONFIG = ROOT / "samconfig.toml"
STAGES = ("dev", "staging", "prod")

# The email delivery queue (logical ids in template.yaml).
DELIVER_FUNCTION = "DeliverFunction"
DELIVERY_QUEUE = "DeliveryQueue"
DELIVERY_DLQ = "DeliveryDeadLetterQueue"
# AWS: an SQS event source's queue visibility timeout >= 6 x the function's timeout.
VISIBILITY_TIMEOUT_FACTOR = 6

# Export files (logical ids in template.yaml): the bucket, its policy, and which function may
# call which S3 action (only on the export objects).
EXPORT_BUCKET = "ExportBucket"
EXPORT_FUNCTION = "ExportFunction"
EXPORT_OBJECTS = {"Fn::Sub": "${ExportBucket.Arn}/exports/*"}
EXPORT_PREFIX = "exports/"
EXPORT_KEEP_DAYS = 1
# Large exports' jobs: their own queue, read by their own function (the deliver binary again,
# with more memory, /tmp and time, and a role that may write export files but send no email).
EXPORT_JOB_FUNCTION = "ExportJobFunction"
EXPORT_QUEUE = "ExportQueue"
EXPORT_DLQ = "ExportDeadLetterQueue"
# What a 100,000-member export needs on DynamoDB (BENCHMARKS.md, "Exports of any size"), at least.
EXPORT_JOB_LIMITS = {"MemorySize": 1024, "Timeout": 900, "EphemeralStorage": 2048}
# shared/domain/src/usecases/export.rs EXPORT_CLAIM_SECS: a job's claim outlives its worker.
EXPORT_CLAIM_SECS = 960
S3_ACTIONS = {
    "s3:PutObject": {EXPORT_JOB_FUNCTION},  # also every step of a multipart upload
    "s3:AbortMultipartUpload": {EXPORT_JOB_FUNCTION},
    "s3:GetObject": {EXPORT_FUNCTION},  # the presigned download link is checked against its signer
}

# Events (logical ids in template.yaml).
TABLE = "Table"
EVENT_BUS = "EventBus"
PUBLISH_FUNCTION = "PublishFunction"
PUBLISH_DLQ = "PublishDeadLetterQueue"
PUBLISH_PARKED = "PublishParkedQueue"
# Lambda's filter for inserted audit items (pk T#<tenant>#A, sk a UUIDv7 in hex: see
# schema::AUDIT_SORT_KEY_PREFIX).
PUBLISH_FILTER = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "T#"}]}, "sk": {"S": [{"prefix": "0"}]}}}}
WEBHOOK_FUNCTION = "WebhookFunction"
WEBHOOK_QUEUE = "WebhookQueue"
WEBHOOK_DLQ = "WebhookDeadLetterQueue"
WEBHOOK_RULE = "WebhookRule"
WEBHOOK_CONDITION = "HasWebhook"
# shared/domain/src/events.rs webhook_retry_after: a delay after each of the first 7 failures,
# then the 8th failure parks the event (the function does, counting failures in the message).
WEBHOOK_BACKOFF_SECS = (5, 300, 1_800, 7_200, 18_000, 36_000, 36_000)
# The queue's redrive only catches a message that breaks the function every time: it must be
# well above the eight attempts, or failed cold starts would park events early.
WEBHOOK_MIN_RECEIVES = 50
FEEDBACK_FUNCTION = "FeedbackFunction"
FEEDBACK_TOPIC = "FeedbackTopic"
FEEDBACK_DLQ = "FeedbackDeadLetterQueue"
FEEDBACK_CONFIGURATION_SET = "FeedbackConfigurationSet"
FEEDBACK_EVENT_TYPES = {"bounce", "complaint"}
WEBHOOK_SECRET_PARAMETER = {
    "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${WebhookSecretParameter}"
}
# Actions only one function may hold, each only on one resource.
SOLE_GRANTS = {
    "events:PutEvents": (PUBLISH_FUNCTION, {"Fn::GetAtt": [EVENT_BUS, "Arn"]}),
    "ssm:GetParameter": (WEBHOOK_FUNCTION, WEBHOOK_SECRET_PARAMETER),
}
# Queues a function may send to, besides the delivery queue (only these functions, only these).
SEND_MESSAGE_TO = {
    PUBLISH_FUNCTION: [{"Fn::GetAtt": [PUBLISH_PARKED, "Arn"]}],
    # a large export's job is queued by the export route, and again by the sweep
    EXPORT_FUNCTION: [{"Fn::GetAtt": [EXPORT_QUEUE, "Arn"]}],
    "ExpireFunction": [{"Fn::GetAtt": [DELIVERY_QUEUE, "Arn"]}, {"Fn::GetAtt": [EXPORT_QUEUE, "Arn"]}],
    WEBHOOK_FUNCTION: [{"Fn::GetAtt": [WEBHOOK_QUEUE, "Arn"]}, {"Fn::GetAtt": [WEBHOOK_DLQ, "Arn"]}],
}

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


class CfnLoader(yaml.SafeLoader):
    """A SafeLoader that turns CloudFormation short tags (!Ref, !Sub, !If, ...) into the long form."""


def _cfn_tag(loader, tag_suffix, node):
    name = tag_suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if name == "Ref":
        return {"Ref": value}
    if name == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    if name == "Condition":
        return {"Condition": value}
    return {"Fn::" + name: value}


CfnLoader.add_multi_constructor("!", _cfn_tag)


def load_template():
    # An optional argument checks another copy (the script's own tests use mutated copies).
    path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=CfnLoader)  # noqa: S506 (SafeLoader subclass)


def routes_from_rust():
    text = ROUTES_RS.read_text(encoding="utf-8")
    pattern = re.compile(r'route!\(\s*([A-Z]+)\s+"([^"]+)"\s*=>\s*"([a-z_]+)"\s*,\s*(\w+)\s*,\s*(\w+)\s*\)')
    routes = {}
    for m in pattern.finditer(text):
        method, path, function, access, op = m.groups()
        routes[(method, path)] = {"function": function, "access": access, "op": op}
    return routes


def page_routes_from_rust():
    """The `web` function's routes: usher_web::PAGE_ROUTES (all GET, no authorizer)."""
    text = WEB_RS.read_text(encoding="utf-8")
    m = re.search(r"PAGE_ROUTES: &\[&str\] = &\[([^\]]*)\]", text)
    return {("GET", p) for p in re.findall(r'"([^"]+)"', m.group(1))} if m else set()


def routes_from_openapi():
    with open(OPENAPI, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    return {(m.upper(), p) for p, item in (doc.get("paths") or {}).items() for m in item if m.lower() in HTTP_METHODS}


def as_list(v):
    return v if isinstance(v, list) else [v]


def walk(node, path=()):
    """Yields (path, dict) for every mapping in the document."""
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def get_att(logical, attribute):
    return {"Fn::GetAtt": [logical, attribute]}


def as_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def flatten_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from flatten_strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from flatten_strings(v)


def main():
    problems = []
    tpl = load_template()
    resources = tpl.get("Resources", {})
    functions = {k: v for k, v in resources.items() if v.get("Type") == "AWS::Serverless::Function"}
    apis = {k for k, v in resources.items() if v.get("Type") == "AWS::Serverless::HttpApi"}
    jwt_authorizers = set()
    default_authorizer = None
    for k in apis:
        auth = resources[k].get("Properties", {}).get("Auth", {})
        jwt_authorizers |= {n for n, a in (auth.get("Authorizers") or {}).items() if "JwtConfiguration" in a}
        default_authorizer = auth.get("DefaultAuthorizer")
    if default_authorizer not in jwt_authorizers:
        problems.append(f"the HTTP API's DefaultAuthorizer {default_authorizer!r} is not a JWT authorizer")

    # --- functions: one per crate, built from the workspace root by binary name -------------
    binary_of = {}
    for logical, res in functions.items():
        meta = res.get("Metadata", {})
        binary = meta.get("BuildProperties", {}).get("Binary")
        if meta.get("BuildMethod") != "rust-cargolambda" or not binary:
            problems.append(f"{logical}: needs Metadata BuildMethod rust-cargolambda and BuildProperties.Binary")
            continue
        if res.get("Properties", {}).get("CodeUri") != ".":
            problems.append(f"{logical}: CodeUri must be '.' (the workspace root)")
        binary_of[logical] = binary
    crates = {p.parent.name for p in (ROOT / "functions").glob("*/Cargo.toml")}
    # One function per crate; the export worker is the one function that shares a binary
    # (deliver's: the same code reads both queues), each with its own role and limits.
    own_binary = {k: v for k, v in binary_of.items() if k != EXPORT_JOB_FUNCTION}
    if set(own_binary.values()) != crates or len(own_binary) != len(crates):
        problems.append(f"functions in template {sorted(own_binary.values())} != crates under functions/ {sorted(crates)}")
    if EXPORT_JOB_FUNCTION in functions and binary_of.get(EXPORT_JOB_FUNCTION) != "deliver":
        problems.append(f"{EXPORT_JOB_FUNCTION}: must run the deliver binary (BuildProperties.Binary: deliver)")
    if EXPORT_JOB_FUNCTION in functions and functions[EXPORT_JOB_FUNCTION].get("Metadata") != functions.get(DELIVER_FUNCTION, {}).get("Metadata"):
        problems.append(f"{EXPORT_JOB_FUNCTION}: its Metadata must equal {DELIVER_FUNCTION}'s, so sam build builds the binary once for both")

    # --- routes ---------------------------------------------------------------------------
    rust = routes_from_rust()
    if len(rust) < 1:
        problems.append("no route!(...) lines parsed from routes.rs")
    openapi = routes_from_openapi()
    template_routes = {}
    for logical, res in functions.items():
        for event_name, ev in (res.get("Properties", {}).get("Events") or {}).items():
            if ev.get("Type") != "HttpApi":
                continue
            props = ev.get("Properties", {})
            key = (str(props.get("Method", "")).upper(), props.get("Path"))
            if key in template_routes:
                problems.append(f"route {key} is declared twice")
            if props.get("ApiId") not in [{"Ref": a} for a in apis]:
                problems.append(f"{logical}.{event_name}: ApiId must reference the HttpApi")
            authorizer = (props.get("Auth") or {}).get("Authorizer", default_authorizer)
            template_routes[key] = {"function": binary_of.get(logical), "authorizer": authorizer, "event": event_name}

    # The pages: exactly usher_web::PAGE_ROUTES, on the web function, public; the rest is the API.
    pages = page_routes_from_rust()
    if not pages:
        problems.append("no PAGE_ROUTES parsed from shared/web/src/lib.rs")
    page_routes = {k: t for k, t in template_routes.items() if t["function"] == WEB_FUNCTION}
    if set(page_routes) != pages:
        problems.append(f"the web function's routes {sorted(page_routes)} are not usher_web::PAGE_ROUTES {sorted(pages)}")
    for key, t in sorted(page_routes.items()):
        if t["authorizer"] != "NONE":
            problems.append(f"{key[0]} {key[1]}: a page is public (Authorizer NONE), not {t['authorizer']!r}")
        if key in rust:
            problems.append(f"{key[0]} {key[1]} is both a page and an API route")
    template_routes = {k: t for k, t in template_routes.items() if t["function"] != WEB_FUNCTION}
    # SCIM: one catch-all route on the scim function, public at the gateway (the function checks
    # the tenant's SCIM token itself); not the API's, so not in routes.rs or openapi.yaml.
    scim_routes = {k: t for k, t in template_routes.items() if t["function"] == SCIM_FUNCTION}
    if set(scim_routes) != SCIM_ROUTES:
        problems.append(f"the scim function's routes {sorted(scim_routes)} are not {sorted(SCIM_ROUTES)}")
    for key, t in sorted(scim_routes.items()):
        if t["authorizer"] != "NONE":
            problems.append(f"{key[0]} {key[1]}: SCIM checks its own bearer (Authorizer NONE), not {t['authorizer']!r}")
    template_routes = {k: t for k, t in template_routes.items() if t["function"] != SCIM_FUNCTION}

    for name, other in (("openapi.yaml", openapi), ("template.yaml", set(template_routes))):
        missing, extra = set(rust) - other, other - set(rust)
        for m in sorted(missing):
            problems.append(f"{name} lacks route {m[0]} {m[1]} (in routes.rs)")
        for e in sorted(extra):
            problems.append(f"{name} has route {e[0]} {e[1]} that routes.rs does not")

    for key, r in sorted(rust.items()):
        t = template_routes.get(key)
        if not t:
            continue
        if t["function"] != r["function"]:
            problems.append(f"{key[0]} {key[1]}: template sends it to {t['function']}, routes.rs to {r['function']}")
        access, authorizer = r["access"], t["authorizer"]
        ok = {
            "Public": authorizer == "NONE",
            "User": authorizer in jwt_authorizers,
            "Operator": authorizer == "AWS_IAM",
        }.get(access, False)
        if not ok:
            problems.append(f"{key[0]} {key[1]}: access {access} but authorizer {authorizer!r}")

    # --- IAM ------------------------------------------------------------------------------
    for path, node in walk(tpl):
        if "NotAction" in node:
            problems.append(f"{'/'.join(map(str, path))}: NotAction is not allowed")
        # A Deny only takes away, so it may name s3:* (the TLS-only bucket policy).
        if "Action" in node and ("Effect" in node or "Resource" in node) and node.get("Effect") != "Deny":
            for action in flatten_strings(node["Action"]):
                if "*" in action:
                    problems.append(f"{'/'.join(map(str, path))}: Action {action!r} contains '*'")
    senders = set()  # logical ids of the functions granted ses:SendEmail
    queuers = set()  # ... and of those granted sqs:SendMessage
    s3_grants = {}  # S3 action -> logical ids of the functions granted it
    sole_grants = {}  # SOLE_GRANTS action -> logical ids of the functions granted it
    send_email_resources = []  # the Resource of every ses:SendEmail statement
    for logical, res in functions.items():
        name = binary_of.get(logical, logical)
        for pol in as_list(res.get("Properties", {}).get("Policies") or []):
            if not isinstance(pol, dict) or "Statement" not in pol:
                problems.append(f"{logical}: policy {pol!r} is not an inline policy document (no SAM policy templates or managed policies)")
                continue
            for st in as_list(pol["Statement"]):
                actions = set(flatten_strings(st.get("Action", [])))
                for a in sorted(actions):
                    if a.lower().startswith("ses:") and a != "ses:SendEmail":
                        problems.append(f"{name}: only ses:SendEmail is allowed among SES actions, found {a}")
                    if a == "ses:SendEmail":
                        senders.add(logical)
                        send_email_resources.append(st.get("Resource"))
                    if a in SOLE_GRANTS:
                        sole_grants.setdefault(a, set()).add(logical)
                        holder, target = SOLE_GRANTS[a]
                        if logical != holder:
                            problems.append(f"{name}: only {holder} may be granted {a}")
                        if as_list(st.get("Resource")) != [target]:
                            problems.append(f"{name}: {a} must be granted on {target!r} only, found Resource {st.get('Resource')!r}")
                    elif a.split(":")[0].lower() in ("events", "ssm", "sns"):
                        problems.append(f"{name}: {a} is not an action the functions need")
                for a in sorted(x for x in actions if x.lower().startswith("s3:")):
                    s3_grants.setdefault(a, set()).add(logical)
                    if a not in S3_ACTIONS:
                        problems.append(f"{name}: S3 action {a} is not one the functions need ({', '.join(sorted(S3_ACTIONS))})")
                    elif logical not in S3_ACTIONS[a]:
                        problems.append(f"{name}: only {', '.join(sorted(S3_ACTIONS[a]))} may be granted {a}")
                    resources_ = as_list(st.get("Resource"))
                    if not resources_ or any(r != EXPORT_OBJECTS for r in resources_):
                        problems.append(f"{name}: {a} must be granted on !Sub \"{EXPORT_OBJECTS['Fn::Sub']}\" only, "
                                        f"found Resource {st.get('Resource')!r}")
                if any(a.lower() == "sqs:sendmessage" for a in actions) and logical in SEND_MESSAGE_TO:
                    if as_list(st.get("Resource")) != SEND_MESSAGE_TO[logical]:
                        problems.append(f"{name}: sqs:SendMessage must be granted on {SEND_MESSAGE_TO[logical]!r} only, "
                                        f"found Resource {st.get('Resource')!r}")
                elif any(a.lower() == "sqs:sendmessage" for a in actions):
                    queuers.add(logical)
                    resources_ = as_list(st.get("Resource"))
                    if not resources_ or any(r != get_att(DELIVERY_QUEUE, "Arn") for r in resources_):
                        problems.append(f"{name}: sqs:SendMessage must be granted on !GetAtt {DELIVERY_QUEUE}.Arn only, "
                                        f"found Resource {st.get('Resource')!r}")

    # --- email delivery: only deliver sends, through the queue ----------------------------
    for logical in sorted(senders - {DELIVER_FUNCTION}):
        problems.append(f"{logical}: only {DELIVER_FUNCTION} may be granted ses:SendEmail (the others queue deliveries)")
    if DELIVER_FUNCTION not in functions:
        problems.append(f"{DELIVER_FUNCTION} (binary deliver) is missing")
    elif DELIVER_FUNCTION not in senders:
        problems.append(f"{DELIVER_FUNCTION} is not granted ses:SendEmail")
    queue = resources.get(DELIVERY_QUEUE, {})
    dlq = resources.get(DELIVERY_DLQ, {})
    for logical, res in ((DELIVERY_QUEUE, queue), (DELIVERY_DLQ, dlq)):
        if res.get("Type") != "AWS::SQS::Queue":
            problems.append(f"{logical} must be an AWS::SQS::Queue")
            continue
        qp = res.get("Properties", {})
        if qp.get("SqsManagedSseEnabled") is not True and not qp.get("KmsMasterKeyId"):
            problems.append(f"{logical}: needs server-side encryption (SqsManagedSseEnabled: true or KmsMasterKeyId)")
    queue_props = queue.get("Properties", {})
    redrive = queue_props.get("RedrivePolicy") or {}
    if redrive.get("deadLetterTargetArn") != get_att(DELIVERY_DLQ, "Arn") or not as_int(redrive.get("maxReceiveCount")):
        problems.append(f"{DELIVERY_QUEUE}: needs RedrivePolicy {{deadLetterTargetArn: !GetAtt {DELIVERY_DLQ}.Arn, maxReceiveCount: N}}")
    deliver = functions.get(DELIVER_FUNCTION, {}).get("Properties", {})
    sqs_events = {n: ev for n, ev in (deliver.get("Events") or {}).items() if ev.get("Type") == "SQS"}
    if DELIVER_FUNCTION in functions and not sqs_events:
        problems.append(f"{DELIVER_FUNCTION}: needs an SQS event on {DELIVERY_QUEUE}")
    for n, ev in sorted(sqs_events.items()):
        props = ev.get("Properties", {})
        if props.get("Queue") != get_att(DELIVERY_QUEUE, "Arn"):
            problems.append(f"{DELIVER_FUNCTION}.{n}: Queue must be !GetAtt {DELIVERY_QUEUE}.Arn")
        if "ReportBatchItemFailures" not in as_list(props.get("FunctionResponseTypes") or []):
            problems.append(f"{DELIVER_FUNCTION}.{n}: FunctionResponseTypes must include ReportBatchItemFailures "
                            "(otherwise one failed message sends the whole batch again)")
    for logical, res in functions.items():
        if logical == DELIVER_FUNCTION:
            continue
        for n, ev in (res.get("Properties", {}).get("Events") or {}).items():
            if ev.get("Type") == "SQS" and ev.get("Properties", {}).get("Queue") == get_att(DELIVERY_QUEUE, "Arn"):
                problems.append(f"{logical}.{n}: only {DELIVER_FUNCTION} may consume {DELIVERY_QUEUE}")
    timeout = as_int(deliver.get("Timeout", tpl.get("Globals", {}).get("Function", {}).get("Timeout", 3)))
    visibility = as_int(queue_props.get("VisibilityTimeout", 30))
    if DELIVER_FUNCTION in functions and (timeout is None or visibility is None or visibility < VISIBILITY_TIMEOUT_FACTOR * timeout):
        problems.append(f"{DELIVERY_QUEUE}: VisibilityTimeout {visibility} must be >= {VISIBILITY_TIMEOUT_FACTOR} x "
                        f"{DELIVER_FUNCTION}'s Timeout {timeout}")
    for alarm, metric, target in (("DeliveryDeadLetterQueueAlarm", "ApproximateNumberOfMessagesVisible", DELIVERY_DLQ),
                                  ("DeliveryQueueAgeAlarm", "ApproximateAgeOfOldestMessage", DELIVERY_QUEUE)):
        a = resources.get(alarm, {})
        ap = a.get("Properties", {})
        dims = as_list(ap.get("Dimensions") or [])
        if (a.get("Type") != "AWS::CloudWatch::Alarm" or ap.get("Namespace") != "AWS/SQS" or ap.get("MetricName") != metric
                or {"Name": "QueueName", "Value": get_att(target, "QueueName")} not in dims):
            problems.append(f"{alarm}: needs an AWS::CloudWatch::Alarm on AWS/SQS {metric} of {target} (QueueName)")

    # --- events: the table's stream -> the bus -> the webhook; SES feedback ---------------
    def res(logical, rtype):
        r = resources.get(logical)
        if not isinstance(r, dict) or r.get("Type") != rtype:
            problems.append(f"{logical} must be an {rtype}")
            return {}
        return r

    def props(logical, rtype):
        return res(logical, rtype).get("Properties") or {}

    def env_of(logical):
        return (functions.get(logical, {}).get("Properties", {}).get("Environment", {}).get("Variables") or {})

    def timeout_of(logical):
        return as_int(functions.get(logical, {}).get("Properties", {}).get("Timeout",
                      tpl.get("Globals", {}).get("Function", {}).get("Timeout", 3)))

    def events_of(logical, kind):
        evs = functions.get(logical, {}).get("Properties", {}).get("Events") or {}
        return {n: ev.get("Properties") or {} for n, ev in evs.items() if ev.get("Type") == kind}

    def encrypted_queue(logical):
        qp = props(logical, "AWS::SQS::Queue")
        if qp.get("SqsManagedSseEnabled") is not True and not qp.get("KmsMasterKeyId"):
            problems.append(f"{logical}: needs server-side encryption (SqsManagedSseEnabled: true or KmsMasterKeyId)")
        return qp

    def dlq_alarm(queue):
        def watches(a):
            ap = a.get("Properties", {})
            return (a.get("Type") == "AWS::CloudWatch::Alarm" and ap.get("Namespace") == "AWS/SQS"
                    and ap.get("MetricName") == "ApproximateNumberOfMessagesVisible"
                    and {"Name": "QueueName", "Value": get_att(queue, "QueueName")} in as_list(ap.get("Dimensions") or []))
        if not any(watches(a) for a in resources.values()):
            problems.append(f"{queue}: needs an AWS::CloudWatch::Alarm on AWS/SQS ApproximateNumberOfMessagesVisible (QueueName)")

    def events_may_send(queue):
        # An AWS::SQS::QueuePolicy on the queue letting events.amazonaws.com send, from the rule only.
        for r in resources.values():
            rp = r.get("Properties", {})
            if r.get("Type") != "AWS::SQS::QueuePolicy" or {"Ref": queue} not in as_list(rp.get("Queues") or []):
                continue
            for st in as_list((rp.get("PolicyDocument") or {}).get("Statement") or []):
                cond = st.get("Condition") or {}
                source = (cond.get("ArnEquals") or cond.get("ArnLike") or {}).get("aws:SourceArn")
                if (st.get("Effect") == "Allow" and st.get("Principal") == {"Service": "events.amazonaws.com"}
                        and as_list(st.get("Action")) == ["sqs:SendMessage"] and source == get_att(WEBHOOK_RULE, "Arn")
                        and as_list(st.get("Resource")) == [get_att(queue, "Arn")]):
                    return r
        problems.append(f"{queue}: needs an AWS::SQS::QueuePolicy allowing events.amazonaws.com sqs:SendMessage on it "
                        f"only with aws:SourceArn = !GetAtt {WEBHOOK_RULE}.Arn")
        return {}

    stream = props(TABLE, "AWS::DynamoDB::Table").get("StreamSpecification") or {}
    if stream.get("StreamViewType") not in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
        problems.append(f"{TABLE}: needs StreamSpecification.StreamViewType NEW_IMAGE (publish reads the new image)")
    res(EVENT_BUS, "AWS::Events::EventBus")

    # publish
    if PUBLISH_FUNCTION not in functions:
        problems.append(f"{PUBLISH_FUNCTION} (binary publish) is missing")
    streams = events_of(PUBLISH_FUNCTION, "DynamoDB")
    if PUBLISH_FUNCTION in functions and list(streams.values()) == []:
        problems.append(f"{PUBLISH_FUNCTION}: needs a DynamoDB event on !GetAtt {TABLE}.StreamArn")
    for n, ep in sorted(streams.items()):
        where = f"{PUBLISH_FUNCTION}.{n}"
        if ep.get("Stream") != get_att(TABLE, "StreamArn"):
            problems.append(f"{where}: Stream must be !GetAtt {TABLE}.StreamArn")
        if "ReportBatchItemFailures" not in as_list(ep.get("FunctionResponseTypes") or []):
            problems.append(f"{where}: FunctionResponseTypes must include ReportBatchItemFailures (retry from the first unpublished record)")
        if as_int(ep.get("ParallelizationFactor", 1)) != 1 or ep.get("BisectBatchOnFunctionError") is True:
            problems.append(f"{where}: events are published in order: ParallelizationFactor 1, BisectBatchOnFunctionError false")
        if as_int(ep.get("MaximumRetryAttempts", 0)) != -1:
            problems.append(f"{where}: MaximumRetryAttempts must be -1 (a transient failure is retried until it passes; "
                            "a limit discards the rest of the batch)")
        filters = [json.loads(f.get("Pattern", "null")) for f in as_list((ep.get("FilterCriteria") or {}).get("Filters") or [])]
        if filters != [PUBLISH_FILTER]:
            problems.append(f"{where}: FilterCriteria must be the one pattern {json.dumps(PUBLISH_FILTER)} (inserted audit items only)")
        on_failure = (ep.get("DestinationConfig") or {}).get("OnFailure") or {}
        if on_failure.get("Destination") != get_att(PUBLISH_DLQ, "Arn") or on_failure.get("Type") != "SQS":
            problems.append(f"{where}: needs DestinationConfig.OnFailure {{Type: SQS, Destination: !GetAtt {PUBLISH_DLQ}.Arn}} "
                            "(Type SQS makes SAM grant sqs:SendMessage on it)")
    if PUBLISH_FUNCTION in functions and env_of(PUBLISH_FUNCTION).get("USHER_EVENT_BUS") != {"Ref": EVENT_BUS}:
        problems.append(f"{PUBLISH_FUNCTION}: USHER_EVENT_BUS must be !Ref {EVENT_BUS} (the bus's name)")
    if PUBLISH_FUNCTION in functions and env_of(PUBLISH_FUNCTION).get("USHER_PUBLISH_PARKED_QUEUE_URL") != {"Ref": PUBLISH_PARKED}:
        problems.append(f"{PUBLISH_FUNCTION}: USHER_PUBLISH_PARKED_QUEUE_URL must be !Ref {PUBLISH_PARKED}")

    def iterator_age_alarm(a):
        ap = a.get("Properties", {})
        return (a.get("Type") == "AWS::CloudWatch::Alarm" and ap.get("Namespace") == "AWS/Lambda"
                and ap.get("MetricName") == "IteratorAge"
                and {"Name": "FunctionName", "Value": {"Ref": PUBLISH_FUNCTION}} in as_list(ap.get("Dimensions") or []))
    if not any(iterator_age_alarm(a) for a in resources.values()):
        problems.append(f"{PUBLISH_FUNCTION}: needs an IteratorAge alarm (events falling behind the changes)")

    # webhook
    for logical in (WEBHOOK_FUNCTION, WEBHOOK_QUEUE, WEBHOOK_DLQ, WEBHOOK_RULE):
        if logical in resources and resources[logical].get("Condition") != WEBHOOK_CONDITION:
            problems.append(f"{logical}: needs Condition {WEBHOOK_CONDITION} (webhooks only with a WebhookUrl)")
    if WEBHOOK_FUNCTION not in functions:
        problems.append(f"{WEBHOOK_FUNCTION} (binary webhook) is missing")
    wq = encrypted_queue(WEBHOOK_QUEUE)
    redrive = wq.get("RedrivePolicy") or {}
    if redrive.get("deadLetterTargetArn") != get_att(WEBHOOK_DLQ, "Arn") or (as_int(redrive.get("maxReceiveCount")) or 0) < WEBHOOK_MIN_RECEIVES:
        problems.append(f"{WEBHOOK_QUEUE}: needs RedrivePolicy {{deadLetterTargetArn: !GetAtt {WEBHOOK_DLQ}.Arn, "
                        f"maxReceiveCount >= {WEBHOOK_MIN_RECEIVES}}} (a backstop; the function counts the attempts)")
    retention = as_int(wq.get("MessageRetentionPeriod", 345600))
    if retention is None or retention <= sum(WEBHOOK_BACKOFF_SECS):
        problems.append(f"{WEBHOOK_QUEUE}: MessageRetentionPeriod {retention} must outlast the retry schedule ({sum(WEBHOOK_BACKOFF_SECS)} s)")
    wt, wv = timeout_of(WEBHOOK_FUNCTION), as_int(wq.get("VisibilityTimeout", 30))
    if WEBHOOK_FUNCTION in functions and (wt is None or wv is None or wv < VISIBILITY_TIMEOUT_FACTOR * wt):
        problems.append(f"{WEBHOOK_QUEUE}: VisibilityTimeout {wv} must be >= {VISIBILITY_TIMEOUT_FACTOR} x {WEBHOOK_FUNCTION}'s Timeout {wt}")
    hooks = events_of(WEBHOOK_FUNCTION, "SQS")
    if WEBHOOK_FUNCTION in functions and not any(ep.get("Queue") == get_att(WEBHOOK_QUEUE, "Arn") for ep in hooks.values()):
        problems.append(f"{WEBHOOK_FUNCTION}: needs an SQS event on !GetAtt {WEBHOOK_QUEUE}.Arn")
    for n, ep in sorted(hooks.items()):
        if "ReportBatchItemFailures" not in as_list(ep.get("FunctionResponseTypes") or []):
            problems.append(f"{WEBHOOK_FUNCTION}.{n}: FunctionResponseTypes must include ReportBatchItemFailures")
        if not (ep.get("ScalingConfig") or {}).get("MaximumConcurrency"):
            problems.append(f"{WEBHOOK_FUNCTION}.{n}: needs ScalingConfig.MaximumConcurrency (a drained backlog must not flood the endpoint)")
    if WEBHOOK_FUNCTION in functions and env_of(WEBHOOK_FUNCTION).get("USHER_WEBHOOK_QUEUE_URL") != {"Ref": WEBHOOK_QUEUE}:
        problems.append(f"{WEBHOOK_FUNCTION}: USHER_WEBHOOK_QUEUE_URL must be !Ref {WEBHOOK_QUEUE}")
    if WEBHOOK_FUNCTION in functions and env_of(WEBHOOK_FUNCTION).get("USHER_WEBHOOK_DEAD_LETTER_QUEUE_URL") != {"Ref": WEBHOOK_DLQ}:
        problems.append(f"{WEBHOOK_FUNCTION}: USHER_WEBHOOK_DEAD_LETTER_QUEUE_URL must be !Ref {WEBHOOK_DLQ}")
    rule = props(WEBHOOK_RULE, "AWS::Events::Rule")
    if rule.get("EventBusName") != {"Ref": EVENT_BUS}:
        problems.append(f"{WEBHOOK_RULE}: EventBusName must be !Ref {EVENT_BUS}")
    targets = [t for t in as_list(rule.get("Targets") or []) if isinstance(t, dict)]
    if not any(t.get("Arn") == get_att(WEBHOOK_QUEUE, "Arn")
               and (t.get("DeadLetterConfig") or {}).get("Arn") == get_att(WEBHOOK_DLQ, "Arn") for t in targets):
        problems.append(f"{WEBHOOK_RULE}: needs a target !GetAtt {WEBHOOK_QUEUE}.Arn with DeadLetterConfig !GetAtt {WEBHOOK_DLQ}.Arn")
    for queue in (WEBHOOK_QUEUE, WEBHOOK_DLQ):
        policy = events_may_send(queue)
        if policy and policy.get("Condition") != WEBHOOK_CONDITION:
            problems.append(f"the queue policy of {queue}: needs Condition {WEBHOOK_CONDITION}")

    # feedback
    if FEEDBACK_FUNCTION not in functions:
        problems.append(f"{FEEDBACK_FUNCTION} (binary feedback) is missing")
    res(FEEDBACK_TOPIC, "AWS::SNS::Topic")
    if FEEDBACK_FUNCTION in functions and not any(ep.get("Topic") == {"Ref": FEEDBACK_TOPIC}
                                                  for ep in events_of(FEEDBACK_FUNCTION, "SNS").values()):
        problems.append(f"{FEEDBACK_FUNCTION}: needs an SNS event on !Ref {FEEDBACK_TOPIC}")
    fdlq = functions.get(FEEDBACK_FUNCTION, {}).get("Properties", {}).get("DeadLetterQueue") or {}
    if FEEDBACK_FUNCTION in functions and (fdlq.get("Type") != "SQS" or fdlq.get("TargetArn") != get_att(FEEDBACK_DLQ, "Arn")):
        problems.append(f"{FEEDBACK_FUNCTION}: needs DeadLetterQueue {{Type: SQS, TargetArn: !GetAtt {FEEDBACK_DLQ}.Arn}}")
    destinations = [r.get("Properties", {}).get("EventDestination") or {} for r in resources.values()
                    if r.get("Type") == "AWS::SES::ConfigurationSetEventDestination"
                    and r.get("Properties", {}).get("ConfigurationSetName") == {"Ref": FEEDBACK_CONFIGURATION_SET}]
    if not any((d.get("SnsDestination") or {}).get("TopicARN") == {"Ref": FEEDBACK_TOPIC} and d.get("Enabled") is True
               and FEEDBACK_EVENT_TYPES <= set(as_list(d.get("MatchingEventTypes") or [])) for d in destinations):
        problems.append(f"{FEEDBACK_CONFIGURATION_SET}: needs an enabled event destination sending "
                        f"{sorted(FEEDBACK_EVENT_TYPES)} to !Ref {FEEDBACK_TOPIC}")
    res(FEEDBACK_CONFIGURATION_SET, "AWS::SES::ConfigurationSet")
    configuration_set = {"Fn::If": ["HasSesConfigurationSet", {"Ref": "SesConfigurationSet"}, {"Ref": FEEDBACK_CONFIGURATION_SET}]}
    globals_env = tpl.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables") or {}
    if globals_env.get("USHER_SES_CONFIGURATION_SET") != configuration_set:
        problems.append(f"USHER_SES_CONFIGURATION_SET must be set in Globals to {configuration_set!r} (every email names a set)")
    set_arn = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${%s}"
    both_sets = {"Fn::If": ["HasSesConfigurationSet", {"Fn::Sub": set_arn % "SesConfigurationSet"},
                            {"Fn::Sub": set_arn % FEEDBACK_CONFIGURATION_SET}]}
    for r in send_email_resources:
        if both_sets not in as_list(r):
            problems.append(f"ses:SendEmail must be granted on the configuration set in use, {both_sets!r}; found Resource {r!r}")

    for queue in (PUBLISH_DLQ, PUBLISH_PARKED, WEBHOOK_DLQ, FEEDBACK_DLQ):
        encrypted_queue(queue)
        dlq_alarm(queue)
    for action, (holder, _) in sorted(SOLE_GRANTS.items()):
        if holder in functions and holder not in sole_grants.get(action, set()):
            problems.append(f"{holder} is not granted {action}")

    # --- export jobs: their own queue and worker, sized for 100k members -------------------
    if EXPORT_JOB_FUNCTION not in functions:
        problems.append(f"{EXPORT_JOB_FUNCTION} (the export worker) is missing")
    else:
        ej = functions[EXPORT_JOB_FUNCTION].get("Properties", {})
        have = {"MemorySize": as_int(ej.get("MemorySize")), "Timeout": as_int(ej.get("Timeout")),
                "EphemeralStorage": as_int((ej.get("EphemeralStorage") or {}).get("Size"))}
        for key, least in EXPORT_JOB_LIMITS.items():
            if have[key] is None or have[key] < least:
                problems.append(f"{EXPORT_JOB_FUNCTION}: {key} {have[key]} is below {least} (a 100k-member export)")
        if have["Timeout"] is not None and have["Timeout"] >= EXPORT_CLAIM_SECS:
            problems.append(f"{EXPORT_JOB_FUNCTION}: Timeout {have['Timeout']} must be below the job's claim "
                            f"({EXPORT_CLAIM_SECS} s), or the sweep queues a running job again")
        if "ses:SendEmail" in json.dumps(ej.get("Policies")):
            problems.append(f"{EXPORT_JOB_FUNCTION}: may not send email")
        evs = [ev.get("Properties", {}) for ev in (ej.get("Events") or {}).values() if ev.get("Type") == "SQS"]
        if [e.get("Queue") for e in evs] != [get_att(EXPORT_QUEUE, "Arn")]:
            problems.append(f"{EXPORT_JOB_FUNCTION}: needs one SQS event, on {EXPORT_QUEUE}")
        for e in evs:
            if as_int(e.get("BatchSize")) != 1 or "ReportBatchItemFailures" not in as_list(e.get("FunctionResponseTypes") or []):
                problems.append(f"{EXPORT_JOB_FUNCTION}: one job an invocation (BatchSize 1) and ReportBatchItemFailures")
        eq = resources.get(EXPORT_QUEUE, {}).get("Properties", {})
        if (as_int(eq.get("VisibilityTimeout")) or 0) < VISIBILITY_TIMEOUT_FACTOR * (have["Timeout"] or 0):
            problems.append(f"{EXPORT_QUEUE}: VisibilityTimeout must be >= {VISIBILITY_TIMEOUT_FACTOR} x {EXPORT_JOB_FUNCTION}'s Timeout")
        if (eq.get("RedrivePolicy") or {}).get("deadLetterTargetArn") != get_att(EXPORT_DLQ, "Arn"):
            problems.append(f"{EXPORT_QUEUE}: needs a RedrivePolicy to {EXPORT_DLQ}")
        for q in (EXPORT_QUEUE, EXPORT_DLQ):
            qp = resources.get(q, {}).get("Properties", {})
            if qp.get("SqsManagedSseEnabled") is not True and not qp.get("KmsMasterKeyId"):
                problems.append(f"{q}: needs server-side encryption")
        if not any(a.get("Type") == "AWS::CloudWatch::Alarm"
                   and {"Name": "QueueName", "Value": get_att(EXPORT_DLQ, "QueueName")} in as_list(a.get("Properties", {}).get("Dimensions") or [])
                   for a in resources.values()):
            problems.append(f"{EXPORT_DLQ}: needs an alarm")
        env = tpl.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        if env.get("USHER_EXPORT_QUEUE_URL") != {"Ref": EXPORT_QUEUE}:
            problems.append(f"Globals: USHER_EXPORT_QUEUE_URL must be !Ref {EXPORT_QUEUE} (export jobs go there)")
    for logical, res in functions.items():
        if logical == EXPORT_JOB_FUNCTION:
            continue
        for n, ev in (res.get("Properties", {}).get("Events") or {}).items():
            if ev.get("Type") == "SQS" and ev.get("Properties", {}).get("Queue") == get_att(EXPORT_QUEUE, "Arn"):
                problems.append(f"{logical}.{n}: only {EXPORT_JOB_FUNCTION} may consume {EXPORT_QUEUE}")

    # --- export files: a private, encrypted, TLS-only bucket that forgets in a day ---------
    for action, holders in sorted(S3_ACTIONS.items()):
        for logical in sorted(holders - s3_grants.get(action, set())):
            if logical in functions:
                problems.append(f"{logical} is not granted {action} on the export files")
    bucket = resources.get(EXPORT_BUCKET, {})
    if bucket.get("Type") != "AWS::S3::Bucket":
        problems.append(f"{EXPORT_BUCKET} must be an AWS::S3::Bucket")
    bp = bucket.get("Properties", {})
    sse = [r.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm")
           for r in as_list((bp.get("BucketEncryption") or {}).get("ServerSideEncryptionConfiguration") or [])]
    if not any(a in ("AES256", "aws:kms", "aws:kms:dsse") for a in sse):
        problems.append(f"{EXPORT_BUCKET}: needs BucketEncryption (ServerSideEncryptionByDefault.SSEAlgorithm AES256 or aws:kms)")
    pab = bp.get("PublicAccessBlockConfiguration") or {}
    for flag in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
        if pab.get(flag) is not True:
            problems.append(f"{EXPORT_BUCKET}: PublicAccessBlockConfiguration.{flag} must be true")

    def covers_exports(rule):
        # A rule without a filter covers the bucket; with a prefix, it must lead to exports/.
        flt = rule.get("Filter") if isinstance(rule.get("Filter"), dict) else {}
        if set(flt) - {"Prefix"} or rule.get("TagFilters"):
            return False
        prefix = flt.get("Prefix", rule.get("Prefix", ""))
        return isinstance(prefix, str) and EXPORT_PREFIX.startswith(prefix)

    rules = [r for r in as_list((bp.get("LifecycleConfiguration") or {}).get("Rules") or [])
             if isinstance(r, dict) and r.get("Status") == "Enabled" and covers_exports(r)]
    if not any(as_int(r.get("ExpirationInDays")) == EXPORT_KEEP_DAYS for r in rules):
        problems.append(f"{EXPORT_BUCKET}: needs an enabled lifecycle rule covering {EXPORT_PREFIX} with "
                        f"ExpirationInDays {EXPORT_KEEP_DAYS} (files live a day)")
    if not any(as_int((r.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")) == EXPORT_KEEP_DAYS
               for r in rules):
        problems.append(f"{EXPORT_BUCKET}: needs an enabled lifecycle rule covering {EXPORT_PREFIX} with "
                        f"AbortIncompleteMultipartUpload.DaysAfterInitiation {EXPORT_KEEP_DAYS}")
    bucket_arn, bucket_objects = get_att(EXPORT_BUCKET, "Arn"), {"Fn::Sub": "${" + EXPORT_BUCKET + ".Arn}/*"}

    def tls_only(st):
        cond = (st.get("Condition") or {}).get("Bool") or {}
        targets = as_list(st.get("Resource") or [])
        return (st.get("Effect") == "Deny" and st.get("Principal") in ("*", {"AWS": "*"})
                and "s3:*" in as_list(st.get("Action") or []) and str(cond.get("aws:SecureTransport")).lower() == "false"
                and bucket_arn in targets and bucket_objects in targets)

    policies = [r.get("Properties", {}) for r in resources.values()
                if r.get("Type") == "AWS::S3::BucketPolicy" and r.get("Properties", {}).get("Bucket") == {"Ref": EXPORT_BUCKET}]
    if not any(tls_only(st) for p in policies for st in as_list((p.get("PolicyDocument") or {}).get("Statement") or [])):
        problems.append(f"{EXPORT_BUCKET}: needs an AWS::S3::BucketPolicy denying s3:* to Principal \"*\" when "
                        f"aws:SecureTransport is false, on !GetAtt {EXPORT_BUCKET}.Arn and !Sub \"${{{EXPORT_BUCKET}.Arn}}/*\"")
    bucket_env = (tpl.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables") or {}).get("USHER_EXPORT_BUCKET")
    if bucket_env != {"Ref": EXPORT_BUCKET}:
        problems.append(f"USHER_EXPORT_BUCKET must be set in Globals to !Ref {EXPORT_BUCKET}, found {bucket_env!r}")

    # --- samconfig.toml: one stack per stage, parameters the template knows ---------------
    declared = tpl.get("Parameters", {})
    required = {k for k, v in declared.items() if "Default" not in v}
    config = tomllib.loads(SAMCONFIG.read_text(encoding="utf-8"))

    def overrides(section):
        pairs = as_list(section.get("parameter_overrides", []))
        if len(pairs) == 1 and " " in pairs[0]:
            pairs = pairs[0].split()
        return dict(p.split("=", 1) for p in pairs)

    for stage in STAGES:
        build = overrides(config.get(stage, {}).get("build", {}).get("parameters", {}))
        deploy_section = config.get(stage, {}).get("deploy", {}).get("parameters", {})
        deploy = overrides(deploy_section)
        if deploy_section.get("stack_name") != f"usher-{stage}":
            problems.append(f"samconfig {stage}: stack_name {deploy_section.get('stack_name')!r}, expected 'usher-{stage}'")
        for kind, params in (("build", build), ("deploy", deploy)):
            if params.get("Stage") != stage:
                problems.append(f"samconfig {stage}.{kind}: Stage={params.get('Stage')!r}, expected {stage!r}")
            for k in sorted(set(params) - set(declared)):
                problems.append(f"samconfig {stage}.{kind}: {k} is not a template parameter")
        if build.get("Architecture") != deploy.get("Architecture"):
            problems.append(f"samconfig {stage}: builds {build.get('Architecture')} but deploys {deploy.get('Architecture')}")
        for k in sorted(required - set(deploy)):
            problems.append(f"samconfig {stage}.deploy: the template requires {k}")

    # --- environment ----------------------------------------------------------------------
    read_vars = set(re.findall(r'"(USHER_[A-Z0-9_]+)"', CONFIG_RS.read_text(encoding="utf-8")))
    for rs in sorted(LAMBDA_SRC.rglob("*.rs")):  # lib.rs, events.rs (the event functions' own settings)
        read_vars |= set(re.findall(r'"(USHER_[A-Z0-9_]+)"', rs.read_text(encoding="utf-8")))
    read_vars |= set(re.findall(r'"(USHER_[A-Z0-9_]+)"', WEB_RS.read_text(encoding="utf-8")))  # the web function's
    for rs in sorted(FUNCTIONS_DIR.glob("*/src/**/*.rs")):  # a function's own settings
        read_vars |= set(re.findall(r'"(USHER_[A-Z0-9_]+)"', rs.read_text(encoding="utf-8")))
    set_vars = set((tpl.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables") or {}))
    for res in functions.values():
        set_vars |= set((res.get("Properties", {}).get("Environment", {}).get("Variables") or {}))
    for v in sorted(read_vars - set_vars - LOCAL_ONLY):
        problems.append(f"environment variable {v} (read by the functions) is not set in the template")
    for v in sorted(set_vars - read_vars):
        problems.append(f"environment variable {v} is set but nothing reads it")
    # Secrets come from a secret this stack generates, resolved at deploy time: never a literal
    # or a parameter (which would sit in samconfig.toml or the stack's parameters).
    # A function that must not see a Globals secret may blank it (""); any other value is checked.
    env_values = [(k, v) for k, v in (tpl.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables") or {}).items()]
    for res in functions.values():
        env_values += [(k, v) for k, v in (res.get("Properties", {}).get("Environment", {}).get("Variables") or {}).items() if v != ""]
    for v, value in sorted(((k, val) for k, val in env_values if k in SECRETS), key=lambda kv: kv[0]):
        sub = value.get("Fn::Sub") if isinstance(value, dict) else None
        m = re.fullmatch(r"\{\{resolve:secretsmanager:\$\{(\w+)\}:SecretString\}\}", sub) if isinstance(sub, str) else None
        secret = resources.get(m.group(1), {}) if m else {}
        if secret.get("Type") != "AWS::SecretsManager::Secret" or "GenerateSecretString" not in secret.get("Properties", {}):
            problems.append(f"{v} must be !Sub \"{{{{resolve:secretsmanager:${{<secret>}}:SecretString}}}}\" of an "
                            "AWS::SecretsManager::Secret this template generates (GenerateSecretString)")
    # Anywhere in the parsed template (keys or values; comments may mention it).
    for v in sorted(LOCAL_ONLY):
        if v in set_vars or any(v in s for s in flatten_strings(tpl)):
            problems.append(f"{v} must never be set by the template (local runs only)")

    # --- email-failure metric filters still match a log line -------------------------------
    rust_files = sorted((ROOT / "shared").rglob("*.rs")) + sorted(FUNCTIONS_DIR.glob("*/src/**/*.rs"))
    rust_sources = "\n".join(p.read_text(encoding="utf-8") for p in rust_files)
    filters = [v for v in resources.values() if v.get("Type") == "AWS::Logs::MetricFilter"]
    for f in filters:
        pattern = f.get("Properties", {}).get("FilterPattern", "")
        for phrase in re.findall(r'"([^"]+)"', pattern):
            if pattern.lstrip().startswith("{"):
                # A JSON pattern (`$.fields.message = "..."`) compares the whole message.
                found = f'"{phrase}"' in rust_sources
            else:
                # A quoted phrase matches wherever it occurs in the line: inside any string literal.
                found = re.search(r'"[^"\n]*' + re.escape(phrase) + r'[^"\n]*"', rust_sources) is not None
            if not found:
                problems.append(f"metric filter phrase {phrase!r} no longer appears in shared/**/*.rs or functions/*/src/**/*.rs")

    print(f"  {len(rust)} routes in routes.rs, {len(openapi)} in openapi.yaml, {len(template_routes)} in template.yaml; "
          f"{len(functions)} functions; ses:SendEmail on {sorted(senders)}; sqs:SendMessage on {sorted(queuers)}; "
          f"S3 {', '.join(f'{a} on {sorted(f)}' for a, f in sorted(s3_grants.items()))}; "
          f"{', '.join(f'{a} on {sorted(f)}' for a, f in sorted(sole_grants.items()))}")
    if problems:
        print("template check FAILED:")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("template check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
