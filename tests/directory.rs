//! The directory's upload and bulk rows that name its people, on the embedded store (the same
//! scenarios run on DynamoDB in `tests/aws.rs`).

use std::sync::Arc;
use usher_domain::ports::Table;
use usher_store::SqliteTable;
use usher_tests::directory;

fn table() -> Arc<dyn Table> {
    Arc::new(SqliteTable::in_memory().expect("sqlite"))
}

#[tokio::test]
async fn an_upload_replaces_only_the_uploaded_people_and_counts_what_it_did() {
    directory::an_upload_replaces_only_the_uploaded_people_and_counts_what_it_did(table()).await;
}

#[tokio::test]
async fn bulk_rows_naming_directory_people_invite_them_or_say_why_not() {
    directory::bulk_rows_naming_directory_people_invite_them_or_say_why_not(table()).await;
}

#[tokio::test]
async fn only_directory_managers_upload_and_bad_files_are_refused_whole() {
    directory::only_directory_managers_upload_and_bad_files_are_refused_whole(table()).await;
}

#[tokio::test]
async fn one_upload_runs_at_a_time_and_a_dead_ones_lease_lapses() {
    directory::one_upload_runs_at_a_time_and_a_dead_ones_lease_lapses(table()).await;
}
