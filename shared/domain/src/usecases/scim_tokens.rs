//! A tenant's SCIM bearer tokens: created by an admin with `directory.manage` (or the
//! operator's CLI), shown once, stored only as a hash, revoked at once.
//!
//! INVARIANT: the token's text leaves this module only in `CreatedScimToken::token`, answered
//! once; the store holds its SHA-256 (the pointer's key) and a 12-character hint.

use super::audit_event;
use crate::access::{self, AccessError};
use crate::context::{Deps, Principal};
use crate::directory::{ScimToken, ScimTokenPointer};
use crate::error::{Context, ErrorCode, FieldError, Unexpected};
use crate::ports::{Committed, Query, SortKeyRange};
use crate::roles::Permission;
use crate::schema::{self, Versioned};
use crate::token::hex;
use crate::values::{ScimTokenId, TenantId, Timestamp, UserId, parse_text};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Every SCIM token starts with this, so secret scanners can recognise a leaked one.
pub const TOKEN_PREFIX: &str = "usher_scim_";
/// Most tokens a tenant may hold (one per identity provider connection, and a spare to rotate).
pub const MAX_TOKENS: usize = 10;

/// A token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScimTokenResource {
    /// Its id.
    pub id: ScimTokenId,
    /// Its name.
    pub name: String,
    /// Its first characters.
    pub hint: String,
    /// Who created it (`None`: the operator).
    pub created_by: Option<UserId>,
    /// Created.
    pub created_at: Timestamp,
}

impl ScimTokenResource {
    fn of(t: &ScimToken) -> Self {
        Self { id: t.id.clone(), name: t.name.clone(), hint: t.hint.clone(), created_by: t.created_by.clone(), created_at: t.created_at }
    }
}

/// A new token: the only answer that carries it.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedScimToken {
    /// The token (the identity provider's bearer). Never shown again.
    pub token: String,
    /// What names it from now on.
    #[serde(flatten)]
    pub resource: ScimTokenResource,
}

/// What the token routes can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ScimTokenError {
    /// The request is malformed.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// No such tenant or token (or the caller is not in the tenant).
    #[error("not found")]
    NotFound,
    /// The caller lacks `directory.manage`.
    #[error("you may not manage this tenant's SCIM tokens")]
    Forbidden,
    /// The tenant holds `MAX_TOKENS` already.
    #[error("a tenant may hold at most {MAX_TOKENS} SCIM tokens; revoke one first")]
    TooMany,
    /// Something broke.
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

crate::error_codes!(ScimTokenError {
    ScimTokenError::Invalid(e) => ErrorCode::InvalidRequest(e.clone()),
    ScimTokenError::NotFound => ErrorCode::NotFound,
    ScimTokenError::Forbidden => ErrorCode::Forbidden,
    ScimTokenError::TooMany => ErrorCode::InvalidState,
    ScimTokenError::Unexpected(u) => u.code(),
});

impl From<AccessError> for ScimTokenError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::NotFound,
            AccessError::Unexpected(u) => Self::Unexpected(u),
        }
    }
}

/// The tenant a SCIM request acts in, proven by its bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimClient {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The token used (rate limits count per token).
    pub token_id: ScimTokenId,
}

fn hash_of(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

async fn authorize(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<UserId, ScimTokenError> {
    let actor = access::member_of(deps, principal, tenant).await?;
    if !actor.can(Permission::DirectoryManage) {
        return Err(ScimTokenError::Forbidden);
    }
    Ok(actor.user.id)
}

/// An admin creates a token.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn create(deps: &Deps, principal: &Principal, tenant: &TenantId, name: Option<&str>) -> Result<CreatedScimToken, ScimTokenError> {
    let by = authorize(deps, principal, tenant).await?;
    create_token(deps, tenant, name, Some(by)).await
}

/// The operator creates a token (`usher scim-token create`): no member needed, the tenant must
/// exist.
pub async fn create_as_operator(deps: &Deps, tenant: &TenantId, name: Option<&str>) -> Result<CreatedScimToken, ScimTokenError> {
    access::load_tenant(deps.table.as_ref(), tenant).await?.ok_or(ScimTokenError::NotFound)?;
    create_token(deps, tenant, name, None).await
}

async fn create_token(deps: &Deps, tenant: &TenantId, name: Option<&str>, by: Option<UserId>) -> Result<CreatedScimToken, ScimTokenError> {
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => "SCIM".to_owned(),
        Some(n) => parse_text(n, 100).map_err(|e| ScimTokenError::Invalid(vec![FieldError::from_invalid("name", &e)]))?,
    };
    if all(deps, tenant).await?.len() >= MAX_TOKENS {
        return Err(ScimTokenError::TooMany);
    }
    let token = format!("{TOKEN_PREFIX}{}", deps.new_token().expose());
    let record = ScimToken {
        id: ScimTokenId::from_uuid(deps.new_uuid()),
        tenant_id: tenant.clone(),
        name,
        hint: token.chars().take(TOKEN_PREFIX.len() + 4).collect(),
        hash: hash_of(&token),
        created_by: by.clone(),
        created_at: deps.now(),
    };
    let event =
        audit_event(deps, tenant, by.as_ref(), "scim_token.created", record.id.as_str(), serde_json::json!({ "name": record.name }));
    let pointer = ScimTokenPointer { tenant_id: tenant.clone(), token_id: record.id.clone() };
    let writes =
        vec![schema::create(&record), schema::create_at(schema::scim_token_hash_key(&record.hash), &pointer), schema::audit_write(&event)];
    match deps.table.transact(writes).await.context("saving SCIM token")? {
        Committed::Yes => {}
        // 256 random bits collide with nothing: a failed condition here is a store bug.
        Committed::ConditionFailed { .. } => {
            return Err(Unexpected {
                context: "saving SCIM token",
                source: crate::ports::StoreError::Rejected("a new SCIM token's keys already exist".into()),
            }
            .into());
        }
    }
    tracing::info!(token = %record.id, "SCIM token created");
    Ok(CreatedScimToken { token, resource: ScimTokenResource::of(&record) })
}

async fn all(deps: &Deps, tenant: &TenantId) -> Result<Vec<Versioned<ScimToken>>, Unexpected> {
    let query = Query {
        index: None,
        pk: schema::tenant_pk(tenant),
        range: SortKeyRange::BeginsWith(schema::SCIM_TOKEN_PREFIX.into()),
        ascending: true,
        limit: MAX_TOKENS * 2,
        after: None,
    };
    crate::paging::read_all(deps.table.as_ref(), query, |item| {
        schema::decode::<ScimToken>(item).map(Some).map_err(|source| Unexpected { context: "decoding SCIM token", source })
    })
    .await
}

/// Lists a tenant's tokens, oldest first.
pub async fn list(deps: &Deps, principal: &Principal, tenant: &TenantId) -> Result<Vec<ScimTokenResource>, ScimTokenError> {
    authorize(deps, principal, tenant).await?;
    Ok(all(deps, tenant).await?.iter().map(|t| ScimTokenResource::of(&t.value)).collect())
}

/// Revokes a token: its hash pointer goes in the same write, so the very next SCIM request
/// that carries it is refused.
#[tracing::instrument(skip_all, fields(tenant = %tenant))]
pub async fn revoke(deps: &Deps, principal: &Principal, tenant: &TenantId, raw_id: &str) -> Result<(), ScimTokenError> {
    let by = authorize(deps, principal, tenant).await?;
    let Ok(id) = ScimTokenId::parse(raw_id) else { return Err(ScimTokenError::NotFound) };
    let key = schema::scim_token_key(tenant, &id);
    let Some(t) = schema::load::<ScimToken>(deps.table.as_ref(), &key).await.context("reading SCIM token")? else {
        return Err(ScimTokenError::NotFound);
    };
    let event = audit_event(deps, tenant, Some(&by), "scim_token.revoked", id.as_str(), serde_json::json!({ "name": t.value.name }));
    let writes = vec![
        schema::delete(key, t.version),
        crate::ports::Write::Delete { key: schema::scim_token_hash_key(&t.value.hash), cond: crate::ports::Cond::Always },
        schema::audit_write(&event),
    ];
    match deps.table.transact(writes).await.context("revoking SCIM token")? {
        Committed::Yes => {
            tracing::info!(token = %id, "SCIM token revoked");
            Ok(())
        }
        // Revoked (or changed) by someone else meanwhile: it is gone either way.
        Committed::ConditionFailed { .. } => Err(ScimTokenError::NotFound),
    }
}

/// The tenant a SCIM bearer token opens, if it is one of ours and not revoked. One read.
pub async fn authenticate(deps: &Deps, bearer: &str) -> Result<Option<ScimClient>, Unexpected> {
    let bearer = bearer.trim();
    if !bearer.starts_with(TOKEN_PREFIX) || bearer.len() > 128 {
        return Ok(None);
    }
    let pointer = schema::load::<ScimTokenPointer>(deps.table.as_ref(), &schema::scim_token_hash_key(&hash_of(bearer)))
        .await
        .context("reading SCIM token")?;
    Ok(pointer.map(|p| ScimClient { tenant_id: p.value.tenant_id, token_id: p.value.token_id }))
}
