//! Usher's domain: everything Usher decides, with no I/O of its own.
//!
//! No AWS, no Lambda, no async runtime, no environment: the world comes in through the ports
//! (`ports::Table`, `ports::Mailer`, `ports::Clock`, `ports::Random`), so the same use cases run
//! on AWS, in `usher serve` and in tests.

pub mod access;
pub mod context;
pub mod directory;
pub mod domains;
pub mod email;
pub mod error;
pub mod events;
pub mod joining;
pub mod model;
pub mod paging;
pub mod ports;
pub mod retry;
pub mod roles;
pub mod schema;
pub mod settings;
pub mod sheet;
pub mod token;
pub mod usecases;
pub mod values;
pub mod views;

pub use context::{Caller, Deps, Principal, Settings};
pub use error::{ErrorCode, FieldError, UseCaseError};
