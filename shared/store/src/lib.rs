//! Usher's adapters for local runs and for every host: the embedded SQLite table, the file
//! outbox mailer, the in-process delivery queue, the system clock and the OS random source. (The AWS adapters — DynamoDB and
//! SES — live beside these.)

pub mod files;
pub mod outbox;
#[cfg(feature = "sqlite")]
pub mod publish;
pub mod queue;
#[cfg(feature = "sqlite")]
pub mod sqlite;
pub mod system;

pub use files::LocalFiles;
pub use outbox::OutboxMailer;
#[cfg(feature = "sqlite")]
pub use publish::{Publisher, WebhookTarget};
pub use queue::LocalQueue;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteTable;
pub use system::{OsRandom, SystemClock};
