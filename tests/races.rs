//! Races on the embedded store resolve in the database (conditional writes), not in memory.

use std::sync::Arc;
use usher_tests::{TestApp, races};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_accepts_make_exactly_one_membership() {
    races::fifty_concurrent_accepts_make_exactly_one_membership(Arc::new(TestApp::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_concurrent_invites_of_one_address_make_exactly_one_invitation() {
    races::ten_concurrent_invites_of_one_address_make_exactly_one_invitation(Arc::new(TestApp::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_invites_for_the_last_seat_let_exactly_one_through() {
    races::concurrent_invites_for_the_last_seat_let_exactly_one_through(Arc::new(TestApp::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accept_racing_revoke_leaves_one_winner_and_consistent_state() {
    races::accept_racing_revoke_leaves_one_winner_and_consistent_state(Arc::new(TestApp::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_writers_in_one_tenant_all_succeed_without_conflicting() {
    let table = Arc::new(usher_store::SqliteTable::in_memory().expect("sqlite"));
    races::twenty_concurrent_writers_in_one_tenant_all_succeed_without_conflicting(table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_bulk_calls_racing_for_the_last_seats_never_overshoot_and_keep_row_order() {
    races::two_bulk_calls_racing_for_the_last_seats_never_overshoot_and_keep_row_order(Arc::new(TestApp::new())).await;
}
