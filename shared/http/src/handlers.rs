//! Request → use case → reply, one arm per route. Parsing of paths, queries and bodies lives
//! here; every decision lives in the domain.

use crate::{App, Problem, Reply, routes::Op};
use bytes::Bytes;
use http::{HeaderValue, Request, StatusCode, header};
use serde::de::DeserializeOwned;
use usher_domain::sheet;
use usher_domain::usecases::{
    accept, audit, bulk, decline, directory, directory_upload, domains, email_change, export, idempotency, invite, join_links,
    join_requests, list, lookup, remove_member, renewal, resend, revoke, roles, scim_tokens, sign_in, tenants, update_invitation,
    update_member, userinfo, workspaces,
};
use usher_domain::values::TenantId;
use usher_domain::{Caller, ErrorCode, FieldError, Principal, UseCaseError};

/// The media type of an XLSX workbook.
const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A bulk upload's file format, from its `Content-Type`.
enum Upload {
    Csv,
    Xlsx,
}

/// Whether the body is a file upload (bulk invitations), and which: `text/csv` or XLSX.
fn upload(req: &Request<Bytes>) -> Option<Upload> {
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())?;
    let essence = ct.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("text/csv") {
        Some(Upload::Csv)
    } else if essence.eq_ignore_ascii_case(XLSX_MEDIA_TYPE) {
        Some(Upload::Xlsx)
    } else {
        None
    }
}

/// A JSON bulk body's rows, each read on its own so one bad row is that row's
/// `invalid_request` (with its JSON path), not the whole call's.
fn bulk_rows(rows: &serde_json::Value, dry_run: Option<&serde_json::Value>) -> Result<(Vec<bulk::RawRow>, bool), Problem> {
    let dry_run = match dry_run {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Bool(b)) => *b,
        Some(_) => return Err(Problem::invalid(FieldError::new("dry_run", "invalid_type", "dry_run must be true or false"))),
    };
    let Some(rows) = rows.as_array() else {
        return Err(Problem::invalid(FieldError::new("invitations", "invalid_type", "invitations must be a list of invitations")));
    };
    if rows.len() > bulk::MAX_ROWS {
        return Err(Problem::from_use_case(&bulk::BulkError::TooManyRows(rows.len())));
    }
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            // A row may name a directory person instead of an address.
            let mut row = row.clone();
            let person = match row.as_object_mut().and_then(|o| o.remove("directory_person_id")) {
                None => None,
                Some(serde_json::Value::String(id)) if row.get("email").is_none() => Some(id),
                Some(serde_json::Value::String(_)) => {
                    let field = format!("invitations[{i}].email");
                    return bulk::RawRow::Unreadable(vec![FieldError::new(
                        field,
                        "invalid_field",
                        "a row names a directory person or an email, not both",
                    )]);
                }
                Some(_) => {
                    let field = format!("invitations[{i}].directory_person_id");
                    return bulk::RawRow::Unreadable(vec![FieldError::new(field, "invalid_type", "directory_person_id is a string")]);
                }
            };
            match serde_path_to_error::deserialize::<_, invite::InviteRequest>(row) {
                Ok(r) => match person {
                    Some(id) => bulk::RawRow::Person { id, request: Box::new(r) },
                    None => bulk::RawRow::Request(Box::new(r)),
                },
                Err(e) => {
                    let path = e.path().to_string();
                    let field =
                        if path.is_empty() || path == "." { format!("invitations[{i}]") } else { format!("invitations[{i}].{path}") };
                    bulk::RawRow::Unreadable(vec![FieldError::new(field, "invalid_field", e.inner().to_string())])
                }
            }
        })
        .collect();
    Ok((rows, dry_run))
}

/// The report as JSON, or as CSV when the caller asks for `text/csv` (the downloadable reports).
fn bulk_reply(req: &Request<Bytes>, report: &bulk::BulkReport) -> Reply {
    let wants_csv = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/csv"));
    if wants_csv {
        let mut reply = Reply::json(StatusCode::OK, &());
        reply.content_type = "text/csv; charset=utf-8";
        reply.body = Bytes::from(bulk::report_csv(report));
        let name = if report.dry_run { "invitations-review.csv" } else { "invitations-report.csv" };
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            reply.headers.push((header::CONTENT_DISPOSITION, v));
        }
        return reply;
    }
    ok(report)
}

fn ok(v: &impl serde::Serialize) -> Reply {
    Reply::json(StatusCode::OK, v)
}

fn fail<E: UseCaseError>(e: E) -> Problem {
    Problem::from_use_case(&e)
}

fn param<'a>(params: &'a [(&'static str, String)], name: &str) -> &'a str {
    params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

/// A tenant id from the path; a malformed one is simply not found (no hint either way).
fn tenant_param(params: &[(&'static str, String)]) -> Result<TenantId, Problem> {
    TenantId::parse(param(params, "tenantId")).map_err(|_| Problem::new(ErrorCode::NotFound, "tenant not found"))
}

fn user(caller: &Option<Caller>) -> Result<&Principal, Problem> {
    match caller {
        Some(Caller::User(p)) => Ok(p),
        _ => Err(Problem::new(ErrorCode::Forbidden, "this endpoint is for signed-in people")),
    }
}

/// Parses a JSON body. An empty body reads as `{}` where `empty_ok`. A body needs
/// `Content-Type: application/json` (or a `+json` type); without one it is refused rather than
/// guessed at, naming `Content-Type`.
fn json<T: DeserializeOwned>(req: &Request<Bytes>, empty_ok: bool) -> Result<T, Problem> {
    let empty = req.body().iter().all(u8::is_ascii_whitespace);
    if !empty {
        check_json_content_type(req)?;
    }
    let body: &[u8] = if empty {
        if !empty_ok {
            return Err(Problem::invalid(FieldError::new("body", "required", "a JSON body is required")));
        }
        b"{}"
    } else {
        req.body()
    };
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(body)).map_err(json_problem)
}

fn check_json_content_type(req: &Request<Bytes>) -> Result<(), Problem> {
    let raw = req.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap_or("?").to_ascii_lowercase());
    let essence = raw.as_deref().map(|ct| ct.split(';').next().unwrap_or_default().trim().to_owned()).unwrap_or_default();
    if essence.is_empty() {
        return Err(Problem::invalid(FieldError::new(
            "Content-Type",
            "required",
            "a request with a body needs the header Content-Type: application/json",
        )));
    }
    let is_json = essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"));
    if !is_json {
        return Err(Problem::invalid(FieldError::new("Content-Type", "unsupported_media_type", "send the body as application/json")));
    }
    Ok(())
}

/// A body that does not fit its type, reported at the JSON path of the offending field
/// (`profile.nickname`, `invitations[3].email`); `body` when the JSON itself is broken or the
/// problem is the whole document.
fn json_problem(e: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let path = e.path().to_string();
    let inner = e.inner();
    if !inner.is_data() {
        return Problem::invalid(FieldError::new("body", "invalid_json", inner.to_string()));
    }
    let message = inner.to_string();
    // serde reports a missing field at its parent; name the field itself.
    let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next()).map(str::to_owned);
    let parent = if path == "." || path.is_empty() { None } else { Some(path) };
    let (field, code) = match (parent, missing) {
        (Some(p), Some(m)) => (format!("{p}.{m}"), "required"),
        (None, Some(m)) => (m, "required"),
        (Some(p), None) => (p, if message.starts_with("unknown field") { "unknown_field" } else { "invalid_field" }),
        (None, None) => ("body".to_owned(), "invalid_field"),
    };
    // serde_json appends " at line L column C"; the field path says more.
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    };
    Problem::invalid(FieldError::new(field, code, message))
}

fn query(req: &Request<Bytes>) -> Vec<(String, String)> {
    form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes()).into_owned().collect()
}

fn query_value(q: &[(String, String)], name: &str) -> Option<String> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

fn list_params(req: &Request<Bytes>) -> list::ListParams {
    let q = query(req);
    list::ListParams {
        status: query_value(&q, "status"),
        email: query_value(&q, "email"),
        role: query_value(&q, "role"),
        q: query_value(&q, "q"),
        limit: query_value(&q, "limit"),
        cursor: query_value(&q, "cursor"),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    token: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

fn token_body(req: &Request<Bytes>, allow_reason: bool) -> Result<(String, Option<String>), Problem> {
    let b: TokenBody = json(req, false)?;
    if !allow_reason && b.reason.is_some() {
        return Err(Problem::invalid(FieldError::new("reason", "unknown_field", "this endpoint takes only `token`")));
    }
    let token = b.token.ok_or_else(|| Problem::invalid(FieldError::new("token", "required", "token is required")))?;
    Ok((token, b.reason))
}

/// `POST /v1/me/userinfo`'s body: the access token of the sign-in whose ID token is the Bearer.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct UserInfoBody {
    access_token: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    confirm_email: Option<String>,
}

pub(crate) async fn dispatch(
    app: &App,
    op: Op,
    params: &[(&'static str, String)],
    caller: Option<Caller>,
    req: &Request<Bytes>,
) -> Result<Reply, Problem> {
    let deps = app.deps();
    match op {
        Op::Invite => {
            let t = tenant_param(params)?;
            if let Some(format) = upload(req) {
                // Who may send a file is settled before a byte of it is parsed.
                let inviter = bulk::authorize(deps, user(&caller)?, &t).await.map_err(fail)?;
                let (rows, warnings) = match format {
                    Upload::Csv => bulk::rows_from_csv(req.body()),
                    Upload::Xlsx => bulk::rows_from_xlsx(req.body()),
                }
                .map_err(fail)?;
                let dry_run = query(req).iter().any(|(k, v)| k == "dry_run" && (v == "true" || v == "1"));
                let report = bulk::bulk_invite(deps, inviter, rows, dry_run, warnings).await.map_err(fail)?;
                return Ok(bulk_reply(req, &report));
            }
            let body: serde_json::Value = json(req, false)?;
            if let Some(rows) = body.get("invitations") {
                let inviter = bulk::authorize(deps, user(&caller)?, &t).await.map_err(fail)?;
                let (rows, dry_run) = bulk_rows(rows, body.get("dry_run"))?;
                let report = bulk::bulk_invite(deps, inviter, rows, dry_run, Vec::new()).await.map_err(fail)?;
                return Ok(bulk_reply(req, &report));
            }
            let raw: invite::InviteRequest = serde_path_to_error::deserialize(body).map_err(json_problem)?;
            let reserved = req.extensions().get::<idempotency::ReservedId>().map(|r| r.0);
            let inv = invite::invite(deps, user(&caller)?, &t, &raw, reserved).await.map_err(fail)?;
            let mut reply = Reply::json(StatusCode::CREATED, &inv);
            if let Ok(v) = HeaderValue::from_str(&format!("/v1/tenants/{t}/invitations/{}", inv.id)) {
                reply.headers.push((header::LOCATION, v));
            }
            Ok(reply)
        }
        Op::Resend => {
            let t = tenant_param(params)?;
            let inv = resend::resend(deps, user(&caller)?, &t, param(params, "invitationId")).await.map_err(fail)?;
            Ok(ok(&inv))
        }
        Op::RevokeInvitation => {
            let t = tenant_param(params)?;
            let inv = revoke::revoke(deps, user(&caller)?, &t, param(params, "invitationId")).await.map_err(fail)?;
            Ok(ok(&inv))
        }
        Op::RemoveMember => {
            let t = tenant_param(params)?;
            let body: ConfirmBody = json(req, true)?;
            remove_member::remove_member(deps, user(&caller)?, &t, param(params, "userId"), body.confirm_email.as_deref())
                .await
                .map_err(fail)?;
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        Op::ListInvitations => {
            let t = tenant_param(params)?;
            let page = list::list_invitations(deps, user(&caller)?, &t, &list_params(req)).await.map_err(fail)?;
            Ok(ok(&page))
        }
        Op::GetInvitation => {
            let t = tenant_param(params)?;
            Ok(ok(&list::get_invitation(deps, user(&caller)?, &t, param(params, "invitationId")).await.map_err(fail)?))
        }
        Op::ListMembers => {
            let t = tenant_param(params)?;
            let page = list::list_members(deps, user(&caller)?, &t, &list_params(req)).await.map_err(fail)?;
            Ok(ok(&page))
        }
        Op::ExportMembers => {
            let t = tenant_param(params)?;
            let q = query(req);
            let (format, include) =
                export::parse_options(query_value(&q, "format").as_deref(), query_value(&q, "include").as_deref()).map_err(fail)?;
            match export::export(deps, user(&caller)?, &t, format, include).await.map_err(fail)? {
                export::ExportAnswer::File(file) => {
                    let mut reply = Reply {
                        status: StatusCode::OK,
                        content_type: file.content_type,
                        body: Bytes::from(file.bytes),
                        headers: Vec::new(),
                    };
                    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.filename)) {
                        reply.headers.push((header::CONTENT_DISPOSITION, v));
                    }
                    Ok(reply)
                }
                // Too large for one response: written by the worker, followed on its status route.
                export::ExportAnswer::Started(job) => {
                    let mut reply = Reply::json(StatusCode::ACCEPTED, &job);
                    if let Ok(v) = HeaderValue::from_str(&format!("/v1/tenants/{t}/exports/{}", job.id)) {
                        reply.headers.push((header::LOCATION, v));
                    }
                    Ok(reply)
                }
            }
        }
        Op::GetExport => {
            let t = tenant_param(params)?;
            Ok(ok(&export::status(deps, user(&caller)?, &t, param(params, "exportId")).await.map_err(fail)?))
        }
        Op::UpdateMember => {
            let t = tenant_param(params)?;
            let patch: update_member::MemberPatch = json(req, false)?;
            let m = update_member::update_member(deps, user(&caller)?, &t, param(params, "userId"), &patch).await.map_err(fail)?;
            Ok(ok(&m))
        }
        Op::UpdateInvitation => {
            let t = tenant_param(params)?;
            let patch: update_invitation::InvitationPatch = json(req, false)?;
            let inv = update_invitation::update_invitation(deps, user(&caller)?, &t, param(params, "invitationId"), &patch)
                .await
                .map_err(fail)?;
            Ok(ok(&inv))
        }
        Op::LeaveTenant => {
            let t = tenant_param(params)?;
            remove_member::leave(deps, user(&caller)?, &t).await.map_err(fail)?;
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        Op::RecordSignIn => {
            let t = tenant_param(params)?;
            let at = sign_in::record_sign_in(deps, user(&caller)?, &t).await.map_err(fail)?;
            Ok(ok(&serde_json::json!({ "tenant_id": t, "last_login_at": at })))
        }
        Op::UserInfo => {
            let principal = user(&caller)?;
            let body: UserInfoBody = json(req, false)?;
            let access_token = body.access_token.trim();
            if access_token.is_empty() || access_token.len() > crate::auth::MAX_BEARER_BYTES {
                return Err(Problem::invalid(FieldError::new(
                    "access_token",
                    "required",
                    "access_token is the access token of the sign-in that gave this ID token",
                )));
            }
            let Some(source) = app.userinfo() else {
                return Err(Problem::new(
                    ErrorCode::UserinfoNotConfigured,
                    "no userinfo endpoint is known for this deployment's identity provider: put the email in its ID tokens, or give Usher its userinfo endpoint",
                ));
            };
            let info = source
                .userinfo(access_token)
                .await
                .map_err(|e| Problem::new(ErrorCode::UserinfoFailed, format!("the identity provider's {e}")))?;
            Ok(ok(&Box::pin(userinfo::remember(deps, principal, info)).await.map_err(fail)?))
        }
        Op::ListWorkspaces => {
            let t = tenant_param(params)?;
            Ok(ok(&workspaces::list_workspaces(deps, user(&caller)?, &t).await.map_err(fail)?))
        }
        Op::PutWorkspace => {
            let t = tenant_param(params)?;
            let body: workspaces::WorkspaceRequest = json(req, true)?;
            let (ws, created) =
                workspaces::put_workspace(deps, user(&caller)?, &t, param(params, "workspaceId"), &body).await.map_err(fail)?;
            Ok(Reply::json(if created { StatusCode::CREATED } else { StatusCode::OK }, &ws))
        }
        Op::DeleteWorkspace => {
            let t = tenant_param(params)?;
            workspaces::delete_workspace(deps, user(&caller)?, &t, param(params, "workspaceId")).await.map_err(fail)?;
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        Op::ConfirmEmailChange => {
            let (token, _) = token_body(req, false)?;
            Ok(ok(&email_change::confirm(deps, user(&caller)?, &token).await.map_err(fail)?))
        }
        Op::MyInvitations => {
            let page = list::my_invitations(deps, user(&caller)?, &list_params(req)).await.map_err(fail)?;
            Ok(ok(&page))
        }
        Op::MyTenants => {
            let page = list::my_tenants(deps, user(&caller)?, &list_params(req)).await.map_err(fail)?;
            Ok(ok(&page))
        }
        Op::Lookup => {
            let (token, _) = token_body(req, false)?;
            Ok(ok(&lookup::lookup(deps, &token).await.map_err(fail)?))
        }
        Op::Accept => {
            let (token, _) = token_body(req, false)?;
            Ok(ok(&accept::accept(deps, user(&caller)?, &token).await.map_err(fail)?))
        }
        Op::Decline => {
            let (token, reason) = token_body(req, true)?;
            Ok(ok(&decline::decline(deps, user(&caller)?, &token, reason.as_deref()).await.map_err(fail)?))
        }
        Op::RenewalRequest => {
            let (token, _) = token_body(req, false)?;
            let r = renewal::request_renewal(deps, &token).await.map_err(fail)?;
            Ok(Reply::json(StatusCode::ACCEPTED, &r))
        }
        Op::CreateTenant => {
            let caller = caller.ok_or_else(|| Problem::new(ErrorCode::Unauthenticated, "sign in first"))?;
            let body: tenants::NewTenant = json(req, false)?;
            let t = tenants::create_tenant(deps, &caller, &body).await.map_err(fail)?;
            let mut reply = Reply::json(StatusCode::CREATED, &t);
            if let Ok(v) = HeaderValue::from_str(&format!("/v1/tenants/{}", t.id)) {
                reply.headers.push((header::LOCATION, v));
            }
            Ok(reply)
        }
        // The same use cases serve the operator routes and the members' `/settings` ones: the
        // route's `Access` has already decided whether the caller is the operator or a person.
        Op::GetTenant | Op::GetTenantSettings => {
            let caller = caller.ok_or_else(|| Problem::new(ErrorCode::Unauthenticated, "sign in first"))?;
            let t = tenant_param(params)?;
            Ok(ok(&tenants::get_tenant(deps, &caller, &t).await.map_err(fail)?))
        }
        Op::UpdateTenant | Op::UpdateTenantSettings => {
            let caller = caller.ok_or_else(|| Problem::new(ErrorCode::Unauthenticated, "sign in first"))?;
            let t = tenant_param(params)?;
            let patch: tenants::TenantPatch = json(req, false)?;
            Ok(ok(&tenants::update_tenant(deps, &caller, &t, &patch).await.map_err(fail)?))
        }
        Op::ListRoles => {
            let t = tenant_param(params)?;
            let data = roles::list_roles(deps, user(&caller)?, &t).await.map_err(fail)?;
            Ok(ok(&serde_json::json!({ "data": data })))
        }
        Op::GetRole => {
            let t = tenant_param(params)?;
            Ok(ok(&roles::get_role(deps, user(&caller)?, &t, param(params, "name")).await.map_err(fail)?))
        }
        Op::PutRole => {
            let t = tenant_param(params)?;
            let body: roles::RoleRequest = json(req, false)?;
            let (role, created) = roles::put_role(deps, user(&caller)?, &t, param(params, "name"), &body).await.map_err(fail)?;
            Ok(Reply::json(if created { StatusCode::CREATED } else { StatusCode::OK }, &role))
        }
        Op::DeleteRole => {
            let t = tenant_param(params)?;
            roles::delete_role(deps, user(&caller)?, &t, param(params, "name")).await.map_err(fail)?;
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        Op::ListAudit => {
            let t = tenant_param(params)?;
            Ok(ok(&audit::list_audit(deps, user(&caller)?, &t, &list_params(req)).await.map_err(fail)?))
        }
        Op::ListDirectoryPeople => {
            let t = tenant_param(params)?;
            let q = query(req);
            let p = directory::PeopleParams {
                q: query_value(&q, "q"),
                company: query_value(&q, "company"),
                title: query_value(&q, "title"),
                department: query_value(&q, "department"),
                status: query_value(&q, "status"),
                limit: query_value(&q, "limit"),
                cursor: query_value(&q, "cursor"),
            };
            Ok(ok(&directory::list_people(deps, user(&caller)?, &t, &p).await.map_err(fail)?))
        }
        Op::ListDirectoryCompanies => {
            let t = tenant_param(params)?;
            let data = directory::companies(deps, user(&caller)?, &t).await.map_err(fail)?;
            Ok(ok(&serde_json::json!({ "data": data })))
        }
        Op::UploadDirectory => {
            let t = tenant_param(params)?;
            // Who may send the list is settled before a byte of it is read.
            let actor = directory_upload::authorize(deps, user(&caller)?, &t).await.map_err(fail)?;
            let body = req.body().clone();
            let budget = directory_upload::BUDGET;
            let summary = match upload(req) {
                Some(Upload::Csv) => directory_upload::replace_uploaded(deps, &actor, &t, || sheet::csv(body.clone(), budget)).await,
                Some(Upload::Xlsx) => directory_upload::replace_uploaded(deps, &actor, &t, || sheet::xlsx(body.clone(), budget)).await,
                None => {
                    let detail = format!("send the employee list as text/csv or {XLSX_MEDIA_TYPE}");
                    return Err(Problem::invalid(FieldError::new("Content-Type", "unsupported_media_type", detail)));
                }
            }
            .map_err(fail)?;
            Ok(ok(&summary))
        }
        Op::GetDirectorySettings => {
            let t = tenant_param(params)?;
            Ok(ok(&directory::get_settings(deps, user(&caller)?, &t).await.map_err(fail)?))
        }
        Op::UpdateDirectorySettings => {
            let t = tenant_param(params)?;
            let body: directory::SettingsPatch = json(req, false)?;
            Ok(ok(&directory::update_settings(deps, user(&caller)?, &t, &body).await.map_err(fail)?))
        }
        Op::CreateScimToken => {
            #[derive(serde::Deserialize, Default)]
            #[serde(deny_unknown_fields)]
            struct Body {
                name: Option<String>,
            }
            let t = tenant_param(params)?;
            let body: Body = json(req, true)?;
            let created = scim_tokens::create(deps, user(&caller)?, &t, body.name.as_deref()).await.map_err(fail)?;
            Ok(Reply::json(StatusCode::CREATED, &created))
        }
        Op::ListScimTokens => {
            let t = tenant_param(params)?;
            let data = scim_tokens::list(deps, user(&caller)?, &t).await.map_err(fail)?;
            Ok(ok(&serde_json::json!({ "data": data })))
        }
        Op::RevokeScimToken => {
            let t = tenant_param(params)?;
            scim_tokens::revoke(deps, user(&caller)?, &t, param(params, "tokenId")).await.map_err(fail)?;
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        Op::CreateJoinLink => {
            let t = tenant_param(params)?;
            let body: join_links::NewJoinLink = json(req, false)?;
            let created = join_links::create(deps, user(&caller)?, &t, &body).await.map_err(fail)?;
            let mut reply = Reply::json(StatusCode::CREATED, &created);
            reply.headers.push((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
            Ok(reply)
        }
        Op::ListJoinLinks => {
            let t = tenant_param(params)?;
            let data = join_links::list(deps, user(&caller)?, &t).await.map_err(fail)?;
            Ok(ok(&serde_json::json!({ "data": data })))
        }
        Op::DisableJoinLink => {
            let t = tenant_param(params)?;
            Ok(ok(&join_links::disable(deps, user(&caller)?, &t, param(params, "linkId")).await.map_err(fail)?))
        }
        Op::JoinLinkLookup => {
            let (token, _) = token_body(req, false)?;
            Ok(ok(&join_links::lookup(deps, &token).await.map_err(fail)?))
        }
        Op::JoinLinkRedeem => {
            let (token, _) = token_body(req, false)?;
            let r = join_links::redeem(deps, user(&caller)?, &token).await.map_err(fail)?;
            let status = if r.outcome == join_links::RedeemOutcome::Joined { StatusCode::OK } else { StatusCode::ACCEPTED };
            Ok(Reply::json(status, &r))
        }
        Op::ListJoinRequests => {
            let t = tenant_param(params)?;
            let q = query(req);
            let page = join_requests::list(
                deps,
                user(&caller)?,
                &t,
                query_value(&q, "status").as_deref(),
                query_value(&q, "limit").as_deref(),
                query_value(&q, "cursor").as_deref(),
            )
            .await
            .map_err(fail)?;
            Ok(ok(&page))
        }
        Op::ApproveJoinRequest => {
            let t = tenant_param(params)?;
            Ok(ok(&join_requests::approve(deps, user(&caller)?, &t, param(params, "requestId")).await.map_err(fail)?))
        }
        Op::DenyJoinRequest => {
            let t = tenant_param(params)?;
            Ok(ok(&join_requests::deny(deps, user(&caller)?, &t, param(params, "requestId")).await.map_err(fail)?))
        }
        Op::MyJoinRequests => {
            let data = join_requests::mine(deps, user(&caller)?).await.map_err(fail)?;
            Ok(ok(&serde_json::json!({ "data": data })))
        }
        Op::AddDomain => {
            let t = tenant_param(params)?;
            let body: domains::NewDomain = json(req, false)?;
            Ok(Reply::json(StatusCode::CREATED, &domains::add(deps, user(&caller)?, &t, &body).await.map_err(fail)?))
        }
        Op::ListDomains => {
            let t = tenant_param(params)?;
            let data = domains::list(deps, user(&caller)?, &t).await.map_err(fail)?;
            Ok(ok(&serde_json::json!({ "data": data })))
        }
        Op::UpdateDomain => {
            let t = tenant_param(params)?;
            let body: domains::DomainPolicy = json(req, false)?;
            Ok(ok(&domains::set_policy(deps, user(&caller)?, &t, param(params, "domain"), &body).await.map_err(fail)?))
        }
        Op::RemoveDomain => {
            let t = tenant_param(params)?;
            domains::remove(deps, user(&caller)?, &t, param(params, "domain")).await.map_err(fail)?;
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        Op::VerifyDomain => {
            let t = tenant_param(params)?;
            Ok(ok(&domains::verify(deps, user(&caller)?, &t, param(params, "domain")).await.map_err(fail)?))
        }
        Op::JoinableTenants => {
            let data = domains::joinable(deps, user(&caller)?).await.map_err(fail)?;
            Ok(ok(&serde_json::json!({ "data": data })))
        }
        Op::JoinByDomain => {
            let t = tenant_param(params)?;
            let r = domains::join(deps, user(&caller)?, &t).await.map_err(fail)?;
            let status = if r.outcome == join_links::RedeemOutcome::Joined { StatusCode::OK } else { StatusCode::ACCEPTED };
            Ok(Reply::json(status, &r))
        }
    }
}
