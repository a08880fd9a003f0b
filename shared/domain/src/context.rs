//! What every use case runs with: the ports, the settings, and who is calling.

use crate::ports::{Clock, DeliveryQueue, Mailer, Random, Table};
use crate::token::InvitationToken;
use crate::values::{Email, Timestamp};
use std::sync::Arc;

/// Product settings the use cases need (read once from configuration by the host).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The invitee's landing page; links are `{accept_url}#token=...`.
    pub accept_url: String,
    /// Invitation lifetime when neither the inviter nor the tenant says otherwise.
    pub default_ttl_days: u32,
    /// Longest lifetime an inviter may ask for.
    pub max_ttl_days: u32,
    /// Delivery attempts per link before giving up (the invitation then shows `failed`).
    pub max_delivery_attempts: u32,
    /// Least time between two renewal requests for one invitation.
    pub renewal_cooldown_secs: i64,
    /// Signs list cursors so that one listing's cursor is refused by another (derive it from a
    /// per-deployment secret with `CursorKey::from_secret`; the default only binds, see `paging`).
    pub cursor_key: crate::paging::CursorKey,
    /// Exports of at most this many rows answer the file directly; larger ones are written to
    /// the file store by the worker (`202` and a status route). 5000 rows stay far below what
    /// a Lambda response carries (6 MB, base64) in either format.
    pub export_direct_rows: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            accept_url: "http://127.0.0.1:8080/accept".into(),
            default_ttl_days: 7,
            max_ttl_days: 30,
            max_delivery_attempts: 5,
            renewal_cooldown_secs: 3600,
            cursor_key: crate::paging::CursorKey::default(),
            export_direct_rows: 5000,
        }
    }
}

/// The ports and settings, built once per process and shared by every request.
#[derive(Clone)]
pub struct Deps {
    /// Storage.
    pub table: Arc<dyn Table>,
    /// Email (only the delivery worker sends; everything else queues).
    pub mailer: Arc<dyn Mailer>,
    /// Wakes the delivery worker for emails that writes have queued.
    pub queue: Arc<dyn DeliveryQueue>,
    /// Large export files (`with_files`; none by default).
    pub files: Arc<dyn crate::ports::FileStore>,
    /// DNS TXT lookups (verified domains; `with_dns`; none by default).
    pub dns: Arc<dyn crate::ports::TxtResolver>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub random: Arc<dyn Random>,
    /// Settings.
    pub settings: Settings,
    /// Subject → user links resolved by this process (`Default` for a new process).
    pub identities: Arc<crate::access::IdentityCache>,
}

impl Deps {
    /// The ports and settings of a new process (its identity cache starts empty).
    pub fn new(
        table: Arc<dyn Table>,
        mailer: Arc<dyn Mailer>,
        queue: Arc<dyn DeliveryQueue>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
        settings: Settings,
    ) -> Self {
        let table = Self::writing_resources(table);
        Self {
            table,
            mailer,
            queue,
            files: Arc::new(crate::ports::NoFileStore),
            dns: Arc::new(crate::ports::NoResolver),
            clock,
            random,
            settings,
            identities: Arc::default(),
        }
    }

    /// Every write goes through `WithResources`, so audit events carry their resource: the one
    /// place a store is put in front of the use cases (`new` and `with_table`).
    fn writing_resources(table: Arc<dyn Table>) -> Arc<dyn Table> {
        Arc::new(crate::events::WithResources(table))
    }

    /// With another store (an operator command on a deployed table).
    #[must_use]
    pub fn with_table(mut self, table: Arc<dyn Table>) -> Self {
        self.table = Self::writing_resources(table);
        self
    }

    /// With a store for large export files.
    #[must_use]
    pub fn with_files(mut self, files: Arc<dyn crate::ports::FileStore>) -> Self {
        self.files = files;
        self
    }

    /// With a DNS resolver.
    #[must_use]
    pub fn with_dns(mut self, dns: Arc<dyn crate::ports::TxtResolver>) -> Self {
        self.dns = dns;
        self
    }

    /// Now, from the clock port.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A fresh time-ordered UUID (v7) from the clock and random ports. The 12 bits after the
    /// timestamp hold a per-process sequence, so ids minted in the same millisecond still sort in
    /// the order they were minted (audit logs read newest first by id).
    pub fn new_uuid(&self) -> uuid::Uuid {
        static SEQUENCE: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
        let mut rand = [0u8; 10];
        self.random.fill(&mut rand);
        let seq = SEQUENCE.fetch_add(1, std::sync::atomic::Ordering::Relaxed) & 0x0fff;
        rand[..2].copy_from_slice(&seq.to_be_bytes());
        uuid::Builder::from_unix_timestamp_millis(self.now().unix_millis(), &rand).into_uuid()
    }

    /// A fresh invitation token.
    pub fn new_token(&self) -> InvitationToken {
        let mut bytes = [0u8; InvitationToken::BYTES];
        self.random.fill(&mut bytes);
        InvitationToken::from_random(bytes)
    }

    /// The link an invitee clicks. The token sits in the fragment, which browsers never send
    /// to a server, so it stays out of access logs and proxies.
    pub fn accept_link(&self, token: &InvitationToken) -> String {
        format!("{}#token={}", self.settings.accept_url, token.expose())
    }

    /// The link in an email-change confirmation. Usher's own pages answer it at
    /// `/confirm-email`, beside `/accept`; a host's landing page at another address gets the
    /// same page with another fragment (`#email_token=`), which it tells apart from `#token=`.
    pub fn email_change_link(&self, token: &InvitationToken) -> String {
        let accept = self.settings.accept_url.as_str();
        let page = match accept.strip_suffix("/accept") {
            Some(base) => format!("{base}/confirm-email"),
            None => accept.to_owned(),
        };
        format!("{page}#email_token={}", token.expose())
    }
}

/// A signed-in person, as their identity provider's verified token describes them.
#[derive(Clone, PartialEq, Eq)]
pub struct Principal {
    /// The identity provider's subject (`sub`).
    pub subject: String,
    /// The email claim.
    pub email: Option<Email>,
    /// Whether the identity provider verified that email.
    pub email_verified: bool,
    /// Display name claim.
    pub name: Option<String>,
    /// Username claim.
    pub username: Option<String>,
}

impl Principal {
    /// The email, only if verified: the only email Usher trusts for matching invitations.
    pub fn verified_email(&self) -> Option<&Email> {
        self.email.as_ref().filter(|_| self.email_verified)
    }
}

impl std::fmt::Debug for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principal").field("email", &self.email).field("email_verified", &self.email_verified).finish_non_exhaustive()
    }
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A person with a verified identity-provider token.
    User(Principal),
    /// The SaaS's own backend (IAM-authorised in the stack; the CLI or an operator token locally).
    Operator,
}
