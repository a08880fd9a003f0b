//! The stable error codes of the API, as domain outcomes. Each use case has its own error enum
//! (what *that* operation can answer); each enum says which stable code every variant is. The HTTP
//! layer maps codes to statuses in exactly one place.

use crate::ports::StoreError;
use crate::values::InvalidValue;

/// One field of a request that was not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// JSON path of the field (`email`, `profile.phone`, `invitations[3].role`).
    pub field: String,
    /// Stable reason.
    pub code: String,
    /// Human sentence.
    pub message: String,
}

impl FieldError {
    /// From a parse failure.
    pub fn from_invalid(field: impl Into<String>, e: &InvalidValue) -> Self {
        Self { field: field.into(), code: e.code.to_owned(), message: e.message.clone() }
    }

    /// Builds one directly.
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.to_owned(), message: message.into() }
    }
}

/// Every stable error code of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    /// 400: the request is malformed; `errors` says where.
    InvalidRequest(Vec<FieldError>),
    /// 401: no valid credentials.
    Unauthenticated,
    /// 403: authenticated, but not allowed.
    Forbidden,
    /// 403: the invitation is for another address.
    EmailMismatch,
    /// 403: the role carries a permission the caller lacks (or is `owner`).
    RoleNotGrantable,
    /// 403: the tenant's policy does not allow the address's domain.
    DomainNotAllowed,
    /// 404: no such thing, or not yours to see.
    NotFound,
    /// 409: the address has a pending invitation.
    AlreadyInvited,
    /// 409: the address belongs to a member.
    AlreadyMember,
    /// 409: no seat left.
    SeatLimitReached,
    /// 409: the idempotency key was used for another request, or is in use right now.
    IdempotencyConflict,
    /// 409: not possible in the current state.
    InvalidState,
    /// 410: the link expired (or was replaced by a newer one).
    InvitationExpired,
    /// 410: the invitation was revoked.
    InvitationRevoked,
    /// 410: someone else accepted it.
    InvitationUsed,
    /// 410: the invitee declined it.
    InvitationDeclined,
    /// 410: a confirmation link (email change) or a join link expired.
    LinkExpired,
    /// 410: an admin disabled the join link.
    LinkDisabled,
    /// 410: every use of the join link is taken.
    LinkUsedUp,
    /// 400: a consumer mail domain (anyone can have an address there) cannot be verified.
    ConsumerDomain,
    /// 409: another tenant has verified the domain.
    DomainTaken,
    /// 405: the path exists, not with this method (`Allow` lists the methods that do).
    MethodNotAllowed,
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 429: too soon; try again after this many seconds.
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// 500: our fault; details only in the log.
    Internal,
    /// 403: the identity provider's userinfo answer is about another subject than the ID token.
    UserinfoSubjectMismatch,
    /// 502: the identity provider's userinfo endpoint refused the access token or could not be
    /// reached.
    UserinfoFailed,
    /// 501: no userinfo endpoint is known for this deployment's identity provider.
    UserinfoNotConfigured,
    /// 503: a dependency (the database, the identity provider's keys) is down or throttling;
    /// nothing was half-done, try again after this many seconds.
    Unavailable {
        /// Seconds to wait.
        retry_after: u64,
    },
}

impl ErrorCode {
    /// The wire code.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::EmailMismatch => "email_mismatch",
            Self::RoleNotGrantable => "role_not_grantable",
            Self::DomainNotAllowed => "domain_not_allowed",
            Self::NotFound => "not_found",
            Self::AlreadyInvited => "already_invited",
            Self::AlreadyMember => "already_member",
            Self::SeatLimitReached => "seat_limit_reached",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::InvalidState => "invalid_state",
            Self::InvitationExpired => "invitation_expired",
            Self::InvitationRevoked => "invitation_revoked",
            Self::InvitationUsed => "invitation_used",
            Self::InvitationDeclined => "invitation_declined",
            Self::LinkExpired => "link_expired",
            Self::LinkDisabled => "link_disabled",
            Self::LinkUsedUp => "link_used_up",
            Self::ConsumerDomain => "consumer_domain",
            Self::DomainTaken => "domain_taken",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RateLimited { .. } => "rate_limited",
            Self::Internal => "internal",
            Self::Unavailable { .. } => "unavailable",
            Self::UserinfoSubjectMismatch => "userinfo_subject_mismatch",
            Self::UserinfoFailed => "userinfo_failed",
            Self::UserinfoNotConfigured => "userinfo_not_configured",
        }
    }
}

/// Implemented by every use case's error enum: which stable code it is, and a sentence for the
/// caller (never internal detail: `Unexpected` variants say nothing specific).
pub trait UseCaseError: std::error::Error {
    /// The stable code.
    fn code(&self) -> ErrorCode;
}

/// A failure we did not plan for (storage down, corrupt data). Carries context for the log only.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {source}")]
pub struct Unexpected {
    /// What we were doing.
    pub context: &'static str,
    /// What went wrong.
    #[source]
    pub source: StoreError,
}

/// Seconds a client is told to wait when a dependency is unavailable.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

impl Unexpected {
    /// The stable code: a store that is down or throttling is `unavailable` (503, retry later);
    /// anything else is our fault (`internal`). Every use case's error maps its `Unexpected`
    /// variant through this, so an outage answers the same everywhere.
    pub fn code(&self) -> ErrorCode {
        match self.source {
            StoreError::Unavailable(_) => ErrorCode::Unavailable { retry_after: UNAVAILABLE_RETRY_AFTER_SECS },
            _ => ErrorCode::Internal,
        }
    }
}

/// Adds "what we were doing" to a storage error.
pub trait Context<T> {
    /// Wraps the error with context.
    fn context(self, context: &'static str) -> Result<T, Unexpected>;
}

impl<T> Context<T> for Result<T, StoreError> {
    fn context(self, context: &'static str) -> Result<T, Unexpected> {
        self.map_err(|source| Unexpected { context, source })
    }
}

/// The `Unexpected` raised when an optimistic write keeps losing (`crate::retry`): a transient
/// `unavailable`, since every lost round means another writer made progress.
pub fn too_much_contention(context: &'static str) -> Unexpected {
    Unexpected { context, source: StoreError::Unavailable("too many concurrent writers; try again".into()) }
}

/// Declares a use case's error enum's code mapping in one line per variant.
#[macro_export]
macro_rules! error_codes {
    ($ty:ty { $($pat:pat => $code:expr),+ $(,)? }) => {
        impl $crate::error::UseCaseError for $ty {
            fn code(&self) -> $crate::error::ErrorCode {
                match self { $($pat => $code),+ }
            }
        }
    };
}
