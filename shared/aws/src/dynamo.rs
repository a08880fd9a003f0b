//! The DynamoDB table: one table, three sparse GSIs, the items and keys of
//! `usher_domain::schema` (the loud key-schema comment lives there).
//!
//! Physical layout of an item:
//!
//! | attribute            | type | holds                                                        |
//! |----------------------|------|--------------------------------------------------------------|
//! | `pk`, `sk`           | S    | primary key                                                  |
//! | `v`                  | N    | optimistic-concurrency version (conditions compare it)       |
//! | `d`                  | M    | the record, as a native map (readable in the console)        |
//! | `expires_at`         | N    | epoch seconds, the table's TTL attribute (idempotency keys)  |
//! | `gsiNpk`, `gsiNsk`   | S    | index keys, present only while the item belongs in index N   |
//!
//! Conditions become `attribute_not_exists(pk)` or `#v = :v`; a failed one comes back as
//! `ConditionalCheckFailed` (single writes) or as a cancellation reason (transactions), and is
//! turned into `Committed::ConditionFailed { at }` here: a domain answer, never an SDK error.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, Put, ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification, TransactWriteItem, Update,
};
use std::collections::HashMap;
use usher_domain::ports::{
    Committed, Cond, Expect, IndexName, Item, Key, Page, PageKey, Query, SortKeyRange, StoreError, Table, Write, validate_transaction,
};
use usher_domain::values::Timestamp;

/// An item's attributes as DynamoDB holds them.
pub type Attrs = HashMap<String, AttributeValue>;

/// The DynamoDB implementation of the table port.
#[derive(Debug, Clone)]
pub struct DynamoTable {
    client: Client,
    table: String,
}

/// DynamoDB's answers that mean "not now": the request was fine, the table is busy or the service
/// is having trouble. Retrying later (after the SDK's own retries) is the right move.
const TRY_LATER: [&str; 6] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "LimitExceededException",
];

/// A cancelled transaction's reasons that mean "not now" (DynamoDB lists them in the message:
/// `... specific reasons [None, ThrottlingError]`). Condition failures and conflicts never get
/// here: the transaction answers them as `Committed::ConditionFailed`.
const TRY_LATER_REASONS: [&str; 2] = ["ThrottlingError", "ProvisionedThroughputExceeded"];

/// Classifies an SDK error: the store is unreachable, slow, throttling or failing on its side
/// (`Unavailable`, answered `503` with `Retry-After`), or it refused what we sent (`Rejected`: our
/// bug, a missing table, missing permissions; answered `500`). The SDK has already retried the
/// transient ones within its time budget (`crate::sdk_timeouts`, `crate::sdk_retries`).
fn unavailable<E>(e: SdkError<E, HttpResponse>) -> StoreError
where
    E: std::error::Error + ProvideErrorMetadata + 'static,
{
    let why = DisplayErrorContext(&e).to_string();
    let try_later = match &e {
        // No answer at all: connection refused or reset, DNS, TLS, timeouts, unreadable answers.
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(service) => {
            let code = e.code().unwrap_or_default();
            service.raw().status().is_server_error()
                || TRY_LATER.contains(&code)
                || (code == "TransactionCanceledException" && e.message().is_some_and(|m| TRY_LATER_REASONS.iter().any(|r| m.contains(r))))
        }
        // The request could not even be built: ours to fix.
        SdkError::ConstructionFailure(_) => false,
        _ => true,
    };
    if try_later { StoreError::Unavailable(why) } else { StoreError::Rejected(why) }
}

fn index_attrs(index: IndexName) -> (&'static str, &'static str) {
    match index {
        IndexName::ByUser => ("gsi1pk", "gsi1sk"),
        IndexName::PendingByEmail => ("gsi2pk", "gsi2sk"),
        IndexName::Due => ("gsi3pk", "gsi3sk"),
    }
}

/// JSON → DynamoDB attribute (numbers keep their text, so integers stay integers).
pub fn to_attr(v: &serde_json::Value) -> AttributeValue {
    match v {
        serde_json::Value::Null => AttributeValue::Null(true),
        serde_json::Value::Bool(b) => AttributeValue::Bool(*b),
        serde_json::Value::Number(n) => AttributeValue::N(n.to_string()),
        serde_json::Value::String(s) => AttributeValue::S(s.clone()),
        serde_json::Value::Array(a) => AttributeValue::L(a.iter().map(to_attr).collect()),
        serde_json::Value::Object(o) => AttributeValue::M(o.iter().map(|(k, v)| (k.clone(), to_attr(v))).collect()),
    }
}

/// DynamoDB attribute → JSON.
pub fn from_attr(a: &AttributeValue) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    Ok(match a {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::N(n) => {
            if let Ok(i) = n.parse::<i64>() {
                Value::from(i)
            } else if let Ok(u) = n.parse::<u64>() {
                Value::from(u)
            } else {
                n.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number).ok_or_else(|| format!("bad number {n}"))?
            }
        }
        AttributeValue::L(l) => Value::Array(l.iter().map(from_attr).collect::<Result<_, _>>()?),
        AttributeValue::M(m) => Value::Object(m.iter().map(|(k, v)| Ok((k.clone(), from_attr(v)?))).collect::<Result<_, String>>()?),
        other => return Err(format!("unsupported attribute type {other:?}")),
    })
}

fn key_attrs(key: &Key) -> Attrs {
    HashMap::from([("pk".to_owned(), AttributeValue::S(key.pk.clone())), ("sk".to_owned(), AttributeValue::S(key.sk.clone()))])
}

/// An item as it is stored: key, version, data and index attributes (for loading items outside
/// the port, e.g. the export benchmark's BatchWriteItem seeding).
pub fn item_to_attrs(item: &Item) -> Attrs {
    let mut attrs = key_attrs(&item.key);
    attrs.insert("v".into(), AttributeValue::N(item.version.to_string()));
    attrs.insert("d".into(), to_attr(&item.data));
    if let Some(t) = item.expires_at {
        attrs.insert("expires_at".into(), AttributeValue::N(t.unix().to_string()));
    }
    for (index, pk, sk) in &item.index_keys {
        let (pk_attr, sk_attr) = index_attrs(*index);
        attrs.insert(pk_attr.into(), AttributeValue::S(pk.clone()));
        attrs.insert(sk_attr.into(), AttributeValue::S(sk.clone()));
    }
    attrs
}

/// An item from a stream record's image, as Lambda hands it over (attribute values in their
/// JSON form: `{"pk": {"S": "T#..."}, "v": {"N": "3"}, "d": {"M": {...}}}`).
pub fn item_from_stream_image(image: &serde_json::Value) -> Result<Item, StoreError> {
    fn attr(v: &serde_json::Value) -> Result<AttributeValue, String> {
        let (kind, value) = v.as_object().and_then(|o| o.iter().next()).ok_or("not an attribute value")?;
        Ok(match (kind.as_str(), value) {
            ("S", serde_json::Value::String(s)) => AttributeValue::S(s.clone()),
            ("N", serde_json::Value::String(n)) => AttributeValue::N(n.clone()),
            ("BOOL", serde_json::Value::Bool(b)) => AttributeValue::Bool(*b),
            ("NULL", _) => AttributeValue::Null(true),
            ("L", serde_json::Value::Array(l)) => AttributeValue::L(l.iter().map(attr).collect::<Result<_, _>>()?),
            ("M", serde_json::Value::Object(m)) => {
                AttributeValue::M(m.iter().map(|(k, v)| Ok((k.clone(), attr(v)?))).collect::<Result<_, String>>()?)
            }
            (other, _) => return Err(format!("unsupported attribute type {other}")),
        })
    }
    let corrupt = |reason: String| StoreError::Corrupt { key: Key::new("?", "?"), reason };
    let attrs: Attrs = image
        .as_object()
        .ok_or_else(|| corrupt("the image is not an object".into()))?
        .iter()
        .map(|(k, v)| Ok((k.clone(), attr(v)?)))
        .collect::<Result<_, String>>()
        .map_err(corrupt)?;
    attrs_to_item(&attrs)
}

fn s<'a>(attrs: &'a Attrs, name: &str) -> Option<&'a str> {
    attrs.get(name).and_then(|a| a.as_s().ok()).map(String::as_str)
}

fn attrs_to_item(attrs: &Attrs) -> Result<Item, StoreError> {
    let key = Key::new(s(attrs, "pk").unwrap_or_default(), s(attrs, "sk").unwrap_or_default());
    let corrupt = |reason: String| StoreError::Corrupt { key: key.clone(), reason };
    let version = attrs.get("v").and_then(|a| a.as_n().ok()).and_then(|n| n.parse().ok()).ok_or_else(|| corrupt("no version".into()))?;
    let data = attrs.get("d").map(from_attr).transpose().map_err(corrupt)?.unwrap_or(serde_json::Value::Null);
    let expires_at = attrs.get("expires_at").and_then(|a| a.as_n().ok()).and_then(|n| n.parse().ok()).and_then(Timestamp::from_unix);
    let index_keys = IndexName::ALL
        .into_iter()
        .filter_map(|ix| {
            let (pk, sk) = index_attrs(ix);
            Some((ix, s(attrs, pk)?.to_owned(), s(attrs, sk)?.to_owned()))
        })
        .collect();
    Ok(Item { key, version, index_keys, expires_at, data })
}

/// A condition as an expression, with its names and values.
fn condition(cond: Cond) -> Option<(String, HashMap<String, String>, Attrs)> {
    match cond {
        Cond::Always => None,
        Cond::Absent => Some(("attribute_not_exists(pk)".into(), HashMap::new(), HashMap::new())),
        Cond::Version(v) => Some((
            "#v = :v".into(),
            HashMap::from([("#v".to_owned(), "v".to_owned())]),
            HashMap::from([(":v".to_owned(), AttributeValue::N(v.to_string()))]),
        )),
    }
}

/// A `Count` write as an update: `SET #v = #v + :one, <path> = if_not_exists(<path>, :zero) + :aN`
/// (nested paths work with SET, unlike ADD), under `attribute_exists(pk)` and the expectations.
/// The record lives in the `d` map, so every path starts at `d`; parent maps must exist.
struct CountUpdate {
    update: String,
    condition: String,
    names: HashMap<String, String>,
    values: Attrs,
}

fn count_update(add: &[(Vec<String>, i64)], expect: &[Expect]) -> CountUpdate {
    // DynamoDB refuses names and values an expression does not use: add each when first used.
    let mut names = HashMap::from([("#v".to_owned(), "v".to_owned())]);
    let mut values = HashMap::from([(":one".to_owned(), AttributeValue::N("1".into()))]);
    let path_of = |segments: &[String], names: &mut HashMap<String, String>| {
        names.insert("#d".to_owned(), "d".to_owned());
        let mut path = "#d".to_owned();
        for seg in segments {
            let placeholder = match names.iter().find(|(_, v)| *v == seg && seg != "d" && seg != "v") {
                Some((k, _)) => k.clone(),
                None => {
                    let k = format!("#f{}", names.len());
                    names.insert(k.clone(), seg.clone());
                    k
                }
            };
            path.push('.');
            path.push_str(&placeholder);
        }
        path
    };
    // Two additions to one path would overlap (a validation error): sum them first.
    let mut merged: Vec<(Vec<String>, i64)> = Vec::new();
    for (p, d) in add {
        match merged.iter_mut().find(|(q, _)| q == p) {
            Some((_, total)) => *total += d,
            None => merged.push((p.clone(), *d)),
        }
    }
    let mut sets = vec!["#v = #v + :one".to_owned()];
    for (i, (segments, delta)) in merged.iter().enumerate() {
        let path = path_of(segments, &mut names);
        values.insert(format!(":a{i}"), AttributeValue::N(delta.to_string()));
        values.insert(":zero".to_owned(), AttributeValue::N("0".into()));
        sets.push(format!("{path} = if_not_exists({path}, :zero) + :a{i}"));
    }
    let mut conds = vec!["attribute_exists(pk)".to_owned()];
    for (i, e) in expect.iter().enumerate() {
        let value = format!(":e{i}");
        let c = match e {
            Expect::Equals(segments, serde_json::Value::Null) => {
                let path = path_of(segments, &mut names);
                values.insert(value.clone(), AttributeValue::S("NULL".into()));
                format!("(attribute_not_exists({path}) OR attribute_type({path}, {value}))")
            }
            Expect::Equals(segments, v) => {
                let path = path_of(segments, &mut names);
                values.insert(value.clone(), to_attr(v));
                format!("{path} = {value}")
            }
            // Absent counts as 0.
            Expect::AtMost(segments, max) => {
                let path = path_of(segments, &mut names);
                values.insert(value.clone(), AttributeValue::N(max.to_string()));
                if *max >= 0 { format!("(attribute_not_exists({path}) OR {path} <= {value})") } else { format!("{path} <= {value}") }
            }
            Expect::AtLeast(segments, min) => {
                let path = path_of(segments, &mut names);
                values.insert(value.clone(), AttributeValue::N(min.to_string()));
                if *min <= 0 { format!("(attribute_not_exists({path}) OR {path} >= {value})") } else { format!("{path} >= {value}") }
            }
        };
        conds.push(c);
    }
    CountUpdate { update: format!("SET {}", sets.join(", ")), condition: conds.join(" AND "), names, values }
}

impl DynamoTable {
    /// A table adapter on an existing table.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// The table's name.
    pub fn name(&self) -> &str {
        &self.table
    }

    /// Opens the connection (TLS handshake, credentials) at cold start, so the first request
    /// does not pay for it. Fails if the table is missing or not reachable.
    pub async fn prime(&self) -> Result<(), StoreError> {
        self.client.describe_table().table_name(&self.table).send().await.map_err(unavailable)?;
        Ok(())
    }

    /// Creates the table with its indexes and TTL (tests and first-time local setup; the SAM
    /// template creates it on AWS with the same definition).
    pub async fn create(&self) -> Result<(), StoreError> {
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(|e| StoreError::Rejected(e.to_string()))
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder().attribute_name(name).key_type(kind).build().map_err(|e| StoreError::Rejected(e.to_string()))
        };
        let mut req = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?)
            .attribute_definitions(attr("pk")?)
            .attribute_definitions(attr("sk")?)
            // As the stack's table: the stream feeds the `publish` function (events).
            .stream_specification(
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::NewImage)
                    .build()
                    .map_err(|e| StoreError::Rejected(e.to_string()))?,
            );
        for index in IndexName::ALL {
            let (pk, sk) = index_attrs(index);
            req = req.attribute_definitions(attr(pk)?).attribute_definitions(attr(sk)?).global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index.as_str())
                    .key_schema(key(pk, KeyType::Hash)?)
                    .key_schema(key(sk, KeyType::Range)?)
                    .projection(Projection::builder().projection_type(ProjectionType::All).build())
                    .build()
                    .map_err(|e| StoreError::Rejected(e.to_string()))?,
            );
        }
        req.send().await.map_err(unavailable)?;
        let ttl = TimeToLiveSpecification::builder()
            .attribute_name("expires_at")
            .enabled(true)
            .build()
            .map_err(|e| StoreError::Rejected(e.to_string()))?;
        self.client.update_time_to_live().table_name(&self.table).time_to_live_specification(ttl).send().await.map_err(unavailable)?;
        Ok(())
    }

    async fn single(&self, write: &Write) -> Result<Committed, StoreError> {
        const FAILED: Committed = Committed::ConditionFailed { at: 0 };
        match write {
            Write::Put { item, cond } => {
                let (expr, names, values) = condition(*cond).unzip3();
                let sent = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(item_to_attrs(item)))
                    .set_condition_expression(expr)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .send()
                    .await;
                match sent {
                    Ok(_) => Ok(Committed::Yes),
                    Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(FAILED),
                    Err(e) => Err(unavailable(e)),
                }
            }
            Write::Delete { key, cond } => {
                let (expr, names, values) = condition(*cond).unzip3();
                let sent = self
                    .client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(key_attrs(key)))
                    .set_condition_expression(expr)
                    .set_expression_attribute_names(names)
                    .set_expression_attribute_values(values)
                    .send()
                    .await;
                match sent {
                    Ok(_) => Ok(Committed::Yes),
                    Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(FAILED),
                    Err(e) => Err(unavailable(e)),
                }
            }
            // A condition check exists only inside transactions.
            Write::Check { .. } => self.transaction(std::slice::from_ref(write)).await,
            Write::Count { key, add, expect } => {
                let u = count_update(add, expect);
                let sent = self
                    .client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(key_attrs(key)))
                    .update_expression(u.update)
                    .condition_expression(u.condition)
                    .set_expression_attribute_names(Some(u.names))
                    .set_expression_attribute_values(Some(u.values))
                    .send()
                    .await;
                match sent {
                    Ok(_) => Ok(Committed::Yes),
                    Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(FAILED),
                    Err(e) => Err(unavailable(e)),
                }
            }
        }
    }

    async fn transaction(&self, writes: &[Write]) -> Result<Committed, StoreError> {
        let build_err = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Rejected(e.to_string());
        let mut items = Vec::with_capacity(writes.len());
        for w in writes {
            let (expr, names, values) = match w {
                Write::Put { cond, .. } | Write::Delete { cond, .. } | Write::Check { cond, .. } => condition(*cond).unzip3(),
                Write::Count { .. } => (None, None, None),
            };
            let item = match w {
                Write::Put { item, .. } => TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(item_to_attrs(item)))
                            .set_condition_expression(expr)
                            .set_expression_attribute_names(names)
                            .set_expression_attribute_values(values)
                            .build()
                            .map_err(build_err)?,
                    )
                    .build(),
                Write::Delete { key, .. } => TransactWriteItem::builder()
                    .delete(
                        Delete::builder()
                            .table_name(&self.table)
                            .set_key(Some(key_attrs(key)))
                            .set_condition_expression(expr)
                            .set_expression_attribute_names(names)
                            .set_expression_attribute_values(values)
                            .build()
                            .map_err(build_err)?,
                    )
                    .build(),
                Write::Count { key, add, expect } => {
                    let u = count_update(add, expect);
                    TransactWriteItem::builder()
                        .update(
                            Update::builder()
                                .table_name(&self.table)
                                .set_key(Some(key_attrs(key)))
                                .update_expression(u.update)
                                .condition_expression(u.condition)
                                .set_expression_attribute_names(Some(u.names))
                                .set_expression_attribute_values(Some(u.values))
                                .build()
                                .map_err(build_err)?,
                        )
                        .build()
                }
                Write::Check { key, .. } => {
                    // A ConditionCheck needs an expression; "always" is `attribute_exists(pk) OR attribute_not_exists(pk)`.
                    let expr = expr.unwrap_or_else(|| "attribute_exists(pk) OR attribute_not_exists(pk)".into());
                    TransactWriteItem::builder()
                        .condition_check(
                            ConditionCheck::builder()
                                .table_name(&self.table)
                                .set_key(Some(key_attrs(key)))
                                .condition_expression(expr)
                                .set_expression_attribute_names(names)
                                .set_expression_attribute_values(values)
                                .build()
                                .map_err(build_err)?,
                        )
                        .build()
                }
            };
            items.push(item);
        }
        // A cancelled transaction wrote nothing, so sending the same one again is safe. A
        // TransactionConflict (another transaction held one of the items for a moment) is worth
        // a few jittered retries here; a failed condition is an answer for the use case.
        for attempt in 0..TRANSACTION_CONFLICT_RETRIES {
            match self.client.transact_write_items().set_transact_items(Some(items.clone())).send().await {
                Ok(_) => return Ok(Committed::Yes),
                Err(e) => {
                    let reasons: Vec<Option<String>> = match e.as_service_error() {
                        Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(
                            c,
                        )) => c.cancellation_reasons().iter().map(|r| r.code().map(str::to_owned)).collect(),
                        _ => return Err(unavailable(e)),
                    };
                    if let Some(at) = reasons.iter().position(|r| r.as_deref() == Some("ConditionalCheckFailed")) {
                        return Ok(Committed::ConditionFailed { at });
                    }
                    if !reasons.iter().any(|r| r.as_deref() == Some("TransactionConflict")) {
                        // Throttling, validation, size: not a domain answer.
                        let codes: Vec<&str> = reasons.iter().filter_map(|r| r.as_deref()).filter(|c| *c != "None").collect();
                        return Err(if codes.iter().any(|c| c.contains("Throttl") || c.contains("ProvisionedThroughput")) {
                            StoreError::Unavailable(format!("transaction throttled: {codes:?}"))
                        } else {
                            StoreError::Rejected(format!("transaction cancelled: {codes:?}"))
                        });
                    }
                    tokio::time::sleep(jittered_backoff(attempt)).await;
                }
            }
        }
        Err(StoreError::Unavailable("transaction kept conflicting with concurrent transactions".into()))
    }
}

/// Tries of one transaction that keeps meeting `TransactionConflict`.
const TRANSACTION_CONFLICT_RETRIES: u32 = 4;

/// Full jitter over 10, 20, 40 ms...: concurrent writers spread out instead of colliding again.
fn jittered_backoff(attempt: u32) -> std::time::Duration {
    let mut b = [0u8; 2];
    let _ = getrandom::fill(&mut b);
    let cap_ms = 10u64 << attempt.min(5);
    std::time::Duration::from_millis(u64::from(u16::from_le_bytes(b)) % (cap_ms + 1))
}

trait Unzip3 {
    fn unzip3(self) -> (Option<String>, Option<HashMap<String, String>>, Option<Attrs>);
}

impl Unzip3 for Option<(String, HashMap<String, String>, Attrs)> {
    fn unzip3(self) -> (Option<String>, Option<HashMap<String, String>>, Option<Attrs>) {
        match self {
            None => (None, None, None),
            Some((e, n, v)) => (Some(e), (!n.is_empty()).then_some(n), (!v.is_empty()).then_some(v)),
        }
    }
}

#[async_trait]
impl Table for DynamoTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attrs(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        out.item().map(attrs_to_item).transpose()
    }

    /// BatchGetItem, 100 keys a request, strongly consistent. Keys DynamoDB leaves unprocessed
    /// (throttling) are asked again, a few times with a short pause, then the read is
    /// `Unavailable`, as any throttled read is.
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        const BATCH: usize = 100;
        const TRIES: u32 = 5;
        let mut found: HashMap<Key, Item> = HashMap::with_capacity(keys.len());
        // DynamoDB refuses a request that names a key twice.
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        let unique: Vec<&Key> = keys.iter().filter(|k| seen.insert(*k)).collect();
        for chunk in unique.chunks(BATCH) {
            let mut pending: Vec<Attrs> = chunk.iter().map(|k| key_attrs(k)).collect();
            let mut tries = 0;
            while !pending.is_empty() {
                tries += 1;
                if tries > TRIES {
                    return Err(StoreError::Unavailable(format!("{} keys left unprocessed by BatchGetItem", pending.len())));
                }
                if tries > 1 {
                    tokio::time::sleep(std::time::Duration::from_millis(50 * u64::from(tries))).await;
                }
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut pending)))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| StoreError::Rejected(e.to_string()))?;
                let out = self.client.batch_get_item().request_items(&self.table, request).send().await.map_err(unavailable)?;
                for attrs in out.responses().and_then(|r| r.get(&self.table)).map(Vec::as_slice).unwrap_or_default() {
                    let item = attrs_to_item(attrs)?;
                    found.insert(item.key.clone(), item);
                }
                pending = out.unprocessed_keys().and_then(|u| u.get(&self.table)).map(|k| k.keys().to_vec()).unwrap_or_default();
            }
        }
        Ok(keys.iter().map(|k| found.get(k).cloned()).collect())
    }

    async fn query(&self, q: &Query) -> Result<Page, StoreError> {
        if q.limit == 0 || q.limit > 1000 {
            return Err(StoreError::Rejected(format!("query limit must be 1 to 1000, not {}", q.limit)));
        }
        let (pk_attr, sk_attr) = match q.index {
            None => ("pk", "sk"),
            Some(ix) => index_attrs(ix),
        };
        let mut names = HashMap::from([("#pk".to_owned(), pk_attr.to_owned())]);
        let mut values = HashMap::from([(":pk".to_owned(), AttributeValue::S(q.pk.clone()))]);
        let mut expr = "#pk = :pk".to_owned();
        match &q.range {
            SortKeyRange::All => {}
            SortKeyRange::BeginsWith(prefix) => {
                expr.push_str(" AND begins_with(#sk, :prefix)");
                names.insert("#sk".into(), sk_attr.into());
                values.insert(":prefix".into(), AttributeValue::S(prefix.clone()));
            }
            SortKeyRange::Between(from, to) => {
                // DynamoDB keys cannot be empty strings: an empty lower bound means "from the start".
                names.insert("#sk".into(), sk_attr.into());
                values.insert(":to".into(), AttributeValue::S(to.clone()));
                if from.is_empty() {
                    expr.push_str(" AND #sk <= :to");
                } else {
                    expr.push_str(" AND #sk BETWEEN :from AND :to");
                    values.insert(":from".into(), AttributeValue::S(from.clone()));
                }
            }
        }
        let start = q.after.as_ref().map(|after| {
            let mut k = key_attrs(&after.key);
            if let (Some(ix), Some(isk)) = (q.index, &after.index_sk) {
                let (ipk, isk_attr) = index_attrs(ix);
                k.insert(ipk.into(), AttributeValue::S(q.pk.clone()));
                k.insert(isk_attr.into(), AttributeValue::S(isk.clone()));
            }
            k
        });
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(q.index.map(|ix| ix.as_str().to_owned()))
            .key_condition_expression(expr)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .scan_index_forward(q.ascending)
            .limit(i32::try_from(q.limit).unwrap_or(1000))
            .set_exclusive_start_key(start)
            // Index reads cannot be strongly consistent (the domain re-reads what it acts on).
            .set_consistent_read(q.index.is_none().then_some(true))
            .send()
            .await
            .map_err(unavailable)?;
        let items = out.items().iter().map(attrs_to_item).collect::<Result<Vec<_>, _>>()?;
        let next = out.last_evaluated_key().map(|k| PageKey {
            key: Key::new(s(k, "pk").unwrap_or_default(), s(k, "sk").unwrap_or_default()),
            index_sk: q.index.and_then(|ix| s(k, index_attrs(ix).1).map(str::to_owned)),
        });
        Ok(Page { items, next })
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<Committed, StoreError> {
        validate_transaction(&writes)?;
        // One write goes alone (half the cost of a transaction); several go together.
        if writes.len() == 1 { self.single(&writes[0]).await } else { self.transaction(&writes).await }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips_through_attribute_values() {
        let v = serde_json::json!({"s": "x", "e": "", "i": -42, "u": 18446744073709551615u64, "f": 1.5, "b": false, "n": null, "l": [1, {"m": "y"}]});
        assert_eq!(from_attr(&to_attr(&v)).unwrap(), v);
    }
}
