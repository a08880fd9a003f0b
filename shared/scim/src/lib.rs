//! SCIM 2.0 (RFC 7643/7644) at `/scim/v2`: how an identity provider (Okta, Entra ID, Google,
//! JumpCloud...) provisions a tenant's directory. Every host (the `scim` Lambda function,
//! `usher serve`, the tests) hands an `http::Request<Bytes>` to `ScimApp::handle`.
//!
//! A tenant's SCIM token is the bearer and selects the tenant; anything else is a SCIM `401`.
//! Requests are budgeted per token. Errors are SCIM errors (`schemas`, `status`, `scimType`,
//! `detail`), never problem+json: identity providers parse these.

pub mod filter;
pub mod patch;
pub mod resources;
pub mod schema;

use bytes::Bytes;
use filter::Filter;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use schema::{LIST, ResourceKind};
use serde_json::{Value, json};
use std::time::Instant;
use usher_domain::Deps;
use usher_domain::error::Unexpected;
use usher_domain::usecases::provisioning::{self, ProvisionError};
use usher_domain::usecases::rate_limit::{self, Bucket, Limit, Verdict};
use usher_domain::usecases::scim_tokens::{self, ScimClient};
use usher_domain::values::TenantId;

/// The path SCIM is served under.
pub const BASE_PATH: &str = "/scim/v2";
/// SCIM's media type.
pub const MEDIA_TYPE: &str = "application/scim+json";

/// The SCIM service.
#[derive(Clone)]
pub struct ScimApp {
    deps: Deps,
    limit: Limit,
    max_body_bytes: usize,
}

/// A SCIM error answer.
#[derive(Debug)]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
    retry_after: Option<u64>,
}

impl ScimError {
    fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self { status, scim_type, detail: detail.into(), retry_after: None }
    }
    fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }
    fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, detail)
    }
    fn unexpected(e: &Unexpected) -> Self {
        tracing::error!(cause = %e, "SCIM request failed");
        match e.code() {
            usher_domain::ErrorCode::Unavailable { retry_after } => Self {
                status: StatusCode::SERVICE_UNAVAILABLE,
                scim_type: None,
                detail: "the directory is unavailable for a moment; nothing was changed, try again".into(),
                retry_after: Some(retry_after),
            },
            _ => Self::new(StatusCode::INTERNAL_SERVER_ERROR, None, "internal error"),
        }
    }

    fn into_response(self) -> Response<Bytes> {
        let body = json!({
            "schemas": [schema::ERROR],
            "status": self.status.as_u16().to_string(),
            "scimType": self.scim_type,
            "detail": self.detail,
        });
        let mut body = body;
        if self.scim_type.is_none()
            && let Some(o) = body.as_object_mut()
        {
            o.remove("scimType");
        }
        let mut r = scim_response(self.status, &body);
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"usher-scim\""));
        }
        if let Some(s) = self.retry_after {
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        r
    }
}

impl From<Unexpected> for ScimError {
    fn from(e: Unexpected) -> Self {
        Self::unexpected(&e)
    }
}

impl From<ProvisionError> for ScimError {
    fn from(e: ProvisionError) -> Self {
        match e {
            ProvisionError::Invalid(d) => Self::bad("invalidValue", d),
            ProvisionError::Uniqueness(_) => Self::new(StatusCode::CONFLICT, Some("uniqueness"), e.to_string()),
            ProvisionError::NotFound => Self::not_found("no such resource"),
            ProvisionError::VersionMismatch => Self::new(StatusCode::PRECONDITION_FAILED, None, e.to_string()),
            ProvisionError::Unexpected(u) => Self::unexpected(&u),
        }
    }
}

impl From<patch::PatchError> for ScimError {
    fn from(e: patch::PatchError) -> Self {
        use patch::PatchError as P;
        match e {
            P::Syntax(d) => Self::bad("invalidSyntax", d),
            P::Path(d) => Self::bad("invalidPath", d),
            P::NoTarget(d) => Self::bad("noTarget", d),
            P::Value(d) => Self::bad("invalidValue", d),
            P::Mutability(d) => Self::bad("mutability", d),
        }
    }
}

fn scim_response(status: StatusCode, body: &Value) -> Response<Bytes> {
    let mut r = Response::new(Bytes::from(serde_json::to_vec(body).unwrap_or_default()));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/scim+json; charset=utf-8"));
    r
}

fn empty(status: StatusCode) -> Response<Bytes> {
    let mut r = Response::new(Bytes::new());
    *r.status_mut() = status;
    r
}

/// The query parameters of a list.
struct ListQuery {
    filter: Option<Filter>,
    start: usize,
    count: usize,
    attributes: Vec<String>,
    excluded: Vec<String>,
}

fn split_list(raw: Option<&str>) -> Vec<String> {
    raw.map(|s| s.split(',').map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect()).unwrap_or_default()
}

fn query_params(req: &Request<Bytes>) -> Vec<(String, String)> {
    req.uri().query().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

impl ListQuery {
    fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Self, ScimError> {
        let filter = match get("filter").filter(|f| !f.trim().is_empty()) {
            None => None,
            Some(f) => Some(Filter::parse(&f).map_err(|e| ScimError::bad("invalidFilter", e))?),
        };
        let number = |name: &str, default: usize| -> Result<usize, ScimError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<i64>()
                    .map(|n| usize::try_from(n.max(0)).unwrap_or(0))
                    .map_err(|_| ScimError::bad("invalidValue", format!("'{name}' must be a whole number"))),
            }
        };
        // RFC 7644 §3.4.2.4: a startIndex below 1 is 1; a count above the maximum is the maximum.
        let start = number("startIndex", 1)?.max(1);
        let count = number("count", schema::MAX_RESULTS)?.min(schema::MAX_RESULTS);
        Ok(Self {
            filter,
            start,
            count,
            attributes: split_list(get("attributes").as_deref()),
            excluded: split_list(get("excludedAttributes").as_deref()),
        })
    }
}

impl ScimApp {
    /// The SCIM service over these ports; 1,200 requests a minute per token.
    pub fn new(deps: Deps) -> Self {
        Self { deps, limit: Limit::per_minute(1200), max_body_bytes: 1024 * 1024 }
    }

    /// Replaces the per-token budget.
    pub fn with_limit(mut self, limit: Limit) -> Self {
        self.limit = limit;
        self
    }

    /// Whether a path is SCIM's.
    pub fn serves(path: &str) -> bool {
        path == BASE_PATH || path.starts_with("/scim/v2/")
    }

    /// Serves one request. Never panics on input; every failure is a SCIM error.
    pub async fn handle(&self, req: Request<Bytes>, request_id: &str) -> Response<Bytes> {
        let started = Instant::now();
        let method = req.method().clone();
        let mut resp = match self.serve(req).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        };
        if let Ok(v) = HeaderValue::from_str(request_id) {
            resp.headers_mut().insert("x-request-id", v);
        }
        resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        tracing::info!(
            request_id,
            method = %method,
            route = "scim",
            status = resp.status().as_u16(),
            ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "request"
        );
        resp
    }

    async fn authenticate(&self, req: &Request<Bytes>) -> Result<ScimClient, ScimError> {
        let unauthorized = || ScimError::new(StatusCode::UNAUTHORIZED, None, "a valid SCIM token is required as the Bearer");
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_owned())
            .ok_or_else(unauthorized)?;
        let client = scim_tokens::authenticate(&self.deps, &bearer).await?.ok_or_else(unauthorized)?;
        match rate_limit::hit(&self.deps, Bucket::ScimToken, client.token_id.as_str(), self.limit).await? {
            Verdict::Allowed => Ok(client),
            Verdict::Limited { retry_after } => {
                let mut e = ScimError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    None,
                    format!("too many requests with this token; try again in {retry_after} seconds"),
                );
                e.retry_after = Some(retry_after);
                Err(e)
            }
        }
    }

    async fn serve(&self, req: Request<Bytes>) -> Result<Response<Bytes>, ScimError> {
        let path = req.uri().path().trim_end_matches('/').to_owned();
        let Some(rest) = path.strip_prefix(BASE_PATH) else { return Err(ScimError::not_found("no such endpoint")) };
        if req.body().len() > self.max_body_bytes {
            return Err(ScimError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                None,
                format!("the body may be at most {} bytes", self.max_body_bytes),
            ));
        }
        let client = self.authenticate(&req).await?;
        let base = base_url(&req);
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        let tenant = &client.tenant_id;
        let method = req.method().clone();
        // The query string, parsed once for whichever handler reads it.
        let params = query_params(&req);
        let not_allowed = || ScimError::new(StatusCode::METHOD_NOT_ALLOWED, None, "this endpoint does not accept this method");
        match (segments.as_slice(), &method) {
            (["ServiceProviderConfig"], &Method::GET) => Ok(scim_response(StatusCode::OK, &schema::service_provider_config(&base))),
            (["ResourceTypes"], &Method::GET) => {
                let all = [ResourceKind::User, ResourceKind::Group].map(|k| schema::resource_type(k, &base));
                Ok(scim_response(StatusCode::OK, &list_response(all.to_vec(), 2, 1)))
            }
            (["ResourceTypes", name], &Method::GET) => match *name {
                "User" => Ok(scim_response(StatusCode::OK, &schema::resource_type(ResourceKind::User, &base))),
                "Group" => Ok(scim_response(StatusCode::OK, &schema::resource_type(ResourceKind::Group, &base))),
                _ => Err(ScimError::not_found(format!("no resource type '{name}'"))),
            },
            (["Schemas"], &Method::GET) => {
                let all = schema::schemas(&base);
                let n = all.len();
                Ok(scim_response(StatusCode::OK, &list_response(all, n, 1)))
            }
            (["Schemas", id], &Method::GET) => schema::schemas(&base)
                .into_iter()
                .find(|s| s["id"] == *id)
                .map(|s| scim_response(StatusCode::OK, &s))
                .ok_or_else(|| ScimError::not_found(format!("no schema '{id}'"))),
            // Searching several resource types at once is not supported (RFC 7644 §3.4.3).
            ([".search"], &Method::POST) => {
                Err(ScimError::new(StatusCode::NOT_IMPLEMENTED, None, "search /Users/.search or /Groups/.search"))
            }
            (["Users"], &Method::GET) => {
                self.list(ResourceKind::User, tenant, &base, ListQuery::parse(|n| param(&params, n).map(str::to_owned))?).await
            }
            (["Groups"], &Method::GET) => {
                self.list(ResourceKind::Group, tenant, &base, ListQuery::parse(|n| param(&params, n).map(str::to_owned))?).await
            }
            ([kind @ ("Users" | "Groups"), ".search"], &Method::POST) => {
                let body = json_body(&req)?;
                let get = |n: &str| -> Option<String> {
                    body.as_object().and_then(|o| filter::get_ci(o, n)).map(|v| match v {
                        Value::String(s) => s.clone(),
                        Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","),
                        other => other.to_string(),
                    })
                };
                let kind = if *kind == "Users" { ResourceKind::User } else { ResourceKind::Group };
                self.list(kind, tenant, &base, ListQuery::parse(get)?).await
            }
            (["Users"], &Method::POST) => self.create_user(tenant, &base, &req).await,
            (["Groups"], &Method::POST) => self.create_group(tenant, &base, &req).await,
            (["Users", id], m) => match *m {
                Method::GET => self.get_user(tenant, &base, id, &req).await,
                Method::PUT => self.put_user(tenant, &base, id, &req).await,
                Method::PATCH => self.patch_user(tenant, &base, id, &req).await,
                Method::DELETE => {
                    provisioning::delete_person(&self.deps, tenant, id).await?;
                    Ok(empty(StatusCode::NO_CONTENT))
                }
                _ => Err(not_allowed()),
            },
            (["Groups", id], m) => match *m {
                Method::GET => self.get_group(tenant, &base, id, &req).await,
                Method::PUT => self.put_group(tenant, &base, id, &req).await,
                Method::PATCH => self.patch_group(tenant, &base, id, &req).await,
                Method::DELETE => {
                    provisioning::delete_group(&self.deps, tenant, id).await?;
                    Ok(empty(StatusCode::NO_CONTENT))
                }
                _ => Err(not_allowed()),
            },
            (["ServiceProviderConfig" | "ResourceTypes" | "Schemas" | "Users" | "Groups"], _) => Err(not_allowed()),
            _ => Err(ScimError::not_found("no such endpoint")),
        }
    }

    async fn user_json(&self, tenant: &TenantId, base: &str, p: &usher_domain::directory::DirectoryPerson) -> Result<Value, ScimError> {
        let keys: Vec<_> = p.groups.iter().map(|g| usher_domain::schema::group_key(tenant, g)).collect();
        let mut groups = Vec::new();
        if !keys.is_empty() {
            for item in self
                .deps
                .table
                .get_many(&keys)
                .await
                .map_err(|source| Unexpected { context: "reading groups", source })?
                .into_iter()
                .flatten()
            {
                let g = usher_domain::schema::decode::<usher_domain::directory::DirectoryGroup>(item)
                    .map_err(|source| Unexpected { context: "decoding directory group", source })?;
                groups.push((g.value.id.to_string(), g.value.display_name));
            }
        }
        Ok(resources::user(p, &groups, base))
    }

    async fn group_json(&self, tenant: &TenantId, base: &str, g: &usher_domain::directory::DirectoryGroup) -> Result<Value, ScimError> {
        let members = provisioning::group_members(&self.deps, tenant, &g.id).await?;
        Ok(resources::group(g, &members, base))
    }

    async fn list(&self, kind: ResourceKind, tenant: &TenantId, base: &str, q: ListQuery) -> Result<Response<Bytes>, ScimError> {
        let mut all: Vec<Value> = Vec::new();
        match kind {
            ResourceKind::User => {
                // The lookup every identity provider makes before creating: one read.
                let people = match q.filter.as_ref().and_then(|f| f.equality_on("userName")) {
                    Some(name) => provisioning::find_by_user_name(&self.deps, tenant, name).await?.into_iter().collect(),
                    None => provisioning::all_people(&self.deps, tenant).await?,
                };
                let groups: std::collections::HashMap<_, _> = if people.iter().any(|p| !p.value.groups.is_empty()) {
                    provisioning::all_groups(&self.deps, tenant)
                        .await?
                        .into_iter()
                        .map(|g| (g.value.id.clone(), g.value.display_name))
                        .collect()
                } else {
                    std::collections::HashMap::new()
                };
                for p in people {
                    let gs: Vec<(String, String)> =
                        p.value.groups.iter().filter_map(|g| groups.get(g).map(|n| (g.to_string(), n.clone()))).collect();
                    all.push(resources::user(&p.value, &gs, base));
                }
            }
            ResourceKind::Group => {
                for g in provisioning::all_groups(&self.deps, tenant).await? {
                    all.push(self.group_json(tenant, base, &g.value).await?);
                }
            }
        }
        if let Some(f) = &q.filter {
            all.retain(|r| f.matches(r));
        }
        let total = all.len();
        let page: Vec<Value> =
            all.into_iter().skip(q.start - 1).take(q.count).map(|r| resources::project(r, &q.attributes, &q.excluded)).collect();
        Ok(scim_response(StatusCode::OK, &list_response(page, total, q.start)))
    }

    async fn get_user(&self, tenant: &TenantId, base: &str, id: &str, req: &Request<Bytes>) -> Result<Response<Bytes>, ScimError> {
        let p = provisioning::get_person(&self.deps, tenant, id).await?.ok_or_else(|| ScimError::not_found(format!("no user '{id}'")))?;
        let r = self.user_json(tenant, base, &p.value).await?;
        let params = query_params(req);
        Ok(scim_response(
            StatusCode::OK,
            &resources::project(r, &split_list(param(&params, "attributes")), &split_list(param(&params, "excludedAttributes"))),
        ))
    }

    async fn get_group(&self, tenant: &TenantId, base: &str, id: &str, req: &Request<Bytes>) -> Result<Response<Bytes>, ScimError> {
        let g = provisioning::get_group(&self.deps, tenant, id).await?.ok_or_else(|| ScimError::not_found(format!("no group '{id}'")))?;
        let r = self.group_json(tenant, base, &g.value).await?;
        let params = query_params(req);
        Ok(scim_response(
            StatusCode::OK,
            &resources::project(r, &split_list(param(&params, "attributes")), &split_list(param(&params, "excludedAttributes"))),
        ))
    }

    async fn create_user(&self, tenant: &TenantId, base: &str, req: &Request<Bytes>) -> Result<Response<Bytes>, ScimError> {
        let body = json_body(req)?;
        let normalized = schema::normalize(ResourceKind::User, &body).map_err(|e| ScimError::bad("invalidValue", e))?;
        let input = resources::person_input(normalized).map_err(|e| ScimError::bad("invalidValue", e))?;
        let person = provisioning::create_person(&self.deps, tenant, input).await?;
        created(self.user_json(tenant, base, &person).await?)
    }

    async fn put_user(&self, tenant: &TenantId, base: &str, id: &str, req: &Request<Bytes>) -> Result<Response<Bytes>, ScimError> {
        let body = json_body(req)?;
        let normalized = schema::normalize(ResourceKind::User, &body).map_err(|e| ScimError::bad("invalidValue", e))?;
        let input = resources::person_input(normalized).map_err(|e| ScimError::bad("invalidValue", e))?;
        let person = provisioning::replace_person(&self.deps, tenant, id, input, None).await?;
        Ok(scim_response(StatusCode::OK, &self.user_json(tenant, base, &person).await?))
    }

    async fn patch_user(&self, tenant: &TenantId, base: &str, id: &str, req: &Request<Bytes>) -> Result<Response<Bytes>, ScimError> {
        let body = json_body(req)?;
        let current =
            provisioning::get_person(&self.deps, tenant, id).await?.ok_or_else(|| ScimError::not_found(format!("no user '{id}'")))?;
        let mut attrs = resources::person_attributes(&current.value);
        patch::apply(ResourceKind::User, &mut attrs, &body)?;
        let normalized = schema::normalize(ResourceKind::User, &attrs).map_err(|e| ScimError::bad("invalidValue", e))?;
        let input = resources::person_input(normalized).map_err(|e| ScimError::bad("invalidValue", e))?;
        // Written only if nobody changed the person since it was read (else the client retries).
        let person = provisioning::replace_person(&self.deps, tenant, id, input, Some(current.version)).await.map_err(|e| match e {
            ProvisionError::VersionMismatch => {
                ScimError::new(StatusCode::CONFLICT, None, "the user changed while this PATCH applied; send it again")
            }
            other => other.into(),
        })?;
        Ok(scim_response(StatusCode::OK, &self.user_json(tenant, base, &person).await?))
    }

    async fn create_group(&self, tenant: &TenantId, base: &str, req: &Request<Bytes>) -> Result<Response<Bytes>, ScimError> {
        let body = json_body(req)?;
        let normalized = schema::normalize(ResourceKind::Group, &body).map_err(|e| ScimError::bad("invalidValue", e))?;
        let input = resources::group_input(&normalized).map_err(|e| ScimError::bad("invalidValue", e))?;
        let (group, members) = provisioning::create_group(&self.deps, tenant, input).await?;
        created(resources::group(&group, &members, base))
    }

    async fn put_group(&self, tenant: &TenantId, base: &str, id: &str, req: &Request<Bytes>) -> Result<Response<Bytes>, ScimError> {
        let body = json_body(req)?;
        let normalized = schema::normalize(ResourceKind::Group, &body).map_err(|e| ScimError::bad("invalidValue", e))?;
        let input = resources::group_input(&normalized).map_err(|e| ScimError::bad("invalidValue", e))?;
        let (group, members) = provisioning::replace_group(&self.deps, tenant, id, input, None).await?;
        Ok(scim_response(StatusCode::OK, &resources::group(&group, &members, base)))
    }

    async fn patch_group(&self, tenant: &TenantId, base: &str, id: &str, req: &Request<Bytes>) -> Result<Response<Bytes>, ScimError> {
        let body = json_body(req)?;
        let current =
            provisioning::get_group(&self.deps, tenant, id).await?.ok_or_else(|| ScimError::not_found(format!("no group '{id}'")))?;
        let members = provisioning::group_members(&self.deps, tenant, &current.value.id).await?;
        let mut attrs = resources::group_attributes(&current.value, &members, base);
        patch::apply(ResourceKind::Group, &mut attrs, &body)?;
        let normalized = schema::normalize(ResourceKind::Group, &attrs).map_err(|e| ScimError::bad("invalidValue", e))?;
        let input = resources::group_input(&normalized).map_err(|e| ScimError::bad("invalidValue", e))?;
        let (group, members) =
            provisioning::replace_group(&self.deps, tenant, id, input, Some(current.version)).await.map_err(|e| match e {
                ProvisionError::VersionMismatch => {
                    ScimError::new(StatusCode::CONFLICT, None, "the group changed while this PATCH applied; send it again")
                }
                other => other.into(),
            })?;
        Ok(scim_response(StatusCode::OK, &resources::group(&group, &members, base)))
    }
}

fn created(resource: Value) -> Result<Response<Bytes>, ScimError> {
    let location = resource["meta"]["location"].as_str().unwrap_or_default().to_owned();
    let mut r = scim_response(StatusCode::CREATED, &resource);
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

fn list_response(resources: Vec<Value>, total: usize, start: usize) -> Value {
    json!({
        "schemas": [LIST],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

fn json_body(req: &Request<Bytes>) -> Result<Value, ScimError> {
    if let Some(ct) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        let ct = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if ct != MEDIA_TYPE && ct != "application/json" {
            return Err(ScimError::bad("invalidSyntax", format!("the body must be {MEDIA_TYPE} (or application/json), not {ct}")));
        }
    }
    let v: Value = serde_json::from_slice(req.body()).map_err(|e| ScimError::bad("invalidSyntax", format!("the body is not JSON: {e}")))?;
    if !v.is_object() {
        return Err(ScimError::bad("invalidSyntax", "the body must be a JSON object"));
    }
    Ok(v)
}

/// The service's base URL as the caller reached it (for `meta.location` and `$ref`): the
/// `Host` header, over https unless the proxy says otherwise or the host is this machine.
fn base_url(req: &Request<Bytes>) -> String {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(http::uri::Authority::as_str))
        .unwrap_or("localhost");
    let forwarded = req.headers().get("x-forwarded-proto").and_then(|v| v.to_str().ok());
    let local = host.starts_with("127.") || host.starts_with("localhost") || host.starts_with("[::1]");
    let scheme = match forwarded {
        Some(p) if p.eq_ignore_ascii_case("http") || p.eq_ignore_ascii_case("https") => p.to_ascii_lowercase(),
        _ if local => "http".to_owned(),
        _ => "https".to_owned(),
    };
    format!("{scheme}://{host}{BASE_PATH}")
}
