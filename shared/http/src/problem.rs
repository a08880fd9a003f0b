//! THE ONE PLACE where outcomes become HTTP statuses: RFC 9457 problem+json with a stable `code`.
//! Bodies never carry internal detail; the cause of a 500 goes to the log under the request id.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;
use usher_domain::{ErrorCode, FieldError, UseCaseError};

/// An error answer, before it is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable code.
    pub code: ErrorCode,
    /// Human sentence for this occurrence.
    pub detail: String,
}

impl Problem {
    /// A problem with a sentence.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self { code, detail: detail.into() }
    }

    /// 400 for one field.
    pub fn invalid(field: FieldError) -> Self {
        let detail = field.message.clone();
        Self::new(ErrorCode::InvalidRequest(vec![field]), detail)
    }

    /// From a use case's error. An unexpected one is logged with its cause chain here and
    /// answered with nothing but "internal".
    pub fn from_use_case<E: UseCaseError>(e: &E) -> Self {
        let code = e.code();
        if matches!(code, ErrorCode::Internal | ErrorCode::Unavailable { .. }) {
            let mut cause = e.to_string();
            let mut source = e.source();
            while let Some(s) = source {
                cause.push_str(": ");
                cause.push_str(&s.to_string());
                source = s.source();
            }
            if code == ErrorCode::Internal {
                tracing::error!(%cause, "unexpected failure");
                return Self::new(ErrorCode::Internal, "An unexpected error occurred. Quote the request id when you report it.");
            }
            tracing::warn!(%cause, "a dependency is unavailable");
            return Self::new(code, "A service Usher depends on is unavailable or throttling; nothing was changed. Try again shortly.");
        }
        let detail = match &code {
            ErrorCode::InvalidRequest(errors) if errors.len() == 1 => errors[0].message.clone(),
            ErrorCode::InvalidRequest(errors) => format!("{} fields are not valid; see `errors`", errors.len()),
            _ => e.to_string(),
        };
        Self::new(code, detail)
    }
}

/// Status for every stable code.
pub fn status_of(code: &ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidRequest(_) | ErrorCode::ConsumerDomain => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden | ErrorCode::EmailMismatch | ErrorCode::RoleNotGrantable | ErrorCode::DomainNotAllowed => {
            StatusCode::FORBIDDEN
        }
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::AlreadyInvited
        | ErrorCode::AlreadyMember
        | ErrorCode::SeatLimitReached
        | ErrorCode::IdempotencyConflict
        | ErrorCode::InvalidState
        | ErrorCode::DomainTaken => StatusCode::CONFLICT,
        ErrorCode::InvitationExpired
        | ErrorCode::InvitationRevoked
        | ErrorCode::InvitationUsed
        | ErrorCode::InvitationDeclined
        | ErrorCode::LinkExpired
        | ErrorCode::LinkDisabled
        | ErrorCode::LinkUsedUp => StatusCode::GONE,
        ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::UserinfoSubjectMismatch => StatusCode::FORBIDDEN,
        ErrorCode::UserinfoFailed => StatusCode::BAD_GATEWAY,
        ErrorCode::UserinfoNotConfigured => StatusCode::NOT_IMPLEMENTED,
    }
}

fn title_of(code: &ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidRequest(_) => "The request is not valid",
        ErrorCode::Unauthenticated => "Authentication required",
        ErrorCode::Forbidden => "Not allowed",
        ErrorCode::EmailMismatch => "This invitation is for another email address",
        ErrorCode::RoleNotGrantable => "You cannot grant this role",
        ErrorCode::DomainNotAllowed => "This address is outside the tenant's allowed domains",
        ErrorCode::NotFound => "Not found",
        ErrorCode::AlreadyInvited => "Already invited",
        ErrorCode::AlreadyMember => "Already a member",
        ErrorCode::SeatLimitReached => "No seat left",
        ErrorCode::IdempotencyConflict => "Idempotency key conflict",
        ErrorCode::InvalidState => "Not possible in the current state",
        ErrorCode::InvitationExpired => "Invitation expired",
        ErrorCode::InvitationRevoked => "Invitation revoked",
        ErrorCode::InvitationUsed => "Invitation already used",
        ErrorCode::InvitationDeclined => "Invitation declined",
        ErrorCode::LinkExpired => "Link expired",
        ErrorCode::LinkDisabled => "Link disabled",
        ErrorCode::LinkUsedUp => "Link used up",
        ErrorCode::ConsumerDomain => "Consumer mail domains cannot be verified",
        ErrorCode::DomainTaken => "Another tenant has verified this domain",
        ErrorCode::MethodNotAllowed => "Method not allowed",
        ErrorCode::PayloadTooLarge => "Request body too large",
        ErrorCode::RateLimited { .. } => "Too many requests",
        ErrorCode::Internal => "Internal error",
        ErrorCode::Unavailable { .. } => "Service temporarily unavailable",
        ErrorCode::UserinfoSubjectMismatch => "The identity provider's userinfo is about someone else",
        ErrorCode::UserinfoFailed => "The identity provider's userinfo could not be had",
        ErrorCode::UserinfoNotConfigured => "No userinfo endpoint is known",
    }
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    detail: &'a str,
    code: &'static str,
    request_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [FieldError]>,
}

/// Base of the problem `type` URIs (one per code, documented in openapi.yaml).
pub const PROBLEM_TYPE_BASE: &str = "https://usher.dev/problems/";

/// 431: the request's headers are too large (a host's refusal: `invalid_request` naming
/// `headers`, with the status that says which limit).
pub fn headers_too_large(request_id: &str) -> Response<Bytes> {
    let field = FieldError::new("headers", "too_large", "the request's headers are too large");
    Problem::invalid(field).render(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, request_id)
}

impl Problem {
    /// Renders `application/problem+json`.
    pub fn into_response(self, request_id: &str) -> Response<Bytes> {
        let status = status_of(&self.code);
        self.render(status, request_id)
    }

    fn render(self, status: StatusCode, request_id: &str) -> Response<Bytes> {
        let errors = match &self.code {
            ErrorCode::InvalidRequest(e) => Some(e.as_slice()),
            _ => None,
        };
        let body = Body {
            kind: format!("{PROBLEM_TYPE_BASE}{}", self.code.as_str()),
            title: title_of(&self.code),
            status: status.as_u16(),
            detail: &self.detail,
            code: self.code.as_str(),
            request_id,
            errors,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut resp = Response::new(Bytes::from(json));
        *resp.status_mut() = status;
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json; charset=utf-8"));
        match &self.code {
            ErrorCode::Unauthenticated => {
                h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"usher\""));
            }
            ErrorCode::RateLimited { retry_after } | ErrorCode::Unavailable { retry_after } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                    h.insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        resp
    }
}
