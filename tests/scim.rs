//! SCIM 2.0 provisioning on the embedded store (the same scenarios run on DynamoDB in
//! `tests/aws.rs`): deprovisioning at once, group-mapped roles, seats that never fail the
//! identity provider, tokens that open one tenant and stop at revocation. The SCIM protocol
//! itself is proven by the standard testers (`infra/scripts/scim-test.sh`).

use std::sync::Arc;
use usher_domain::ports::Table;
use usher_store::SqliteTable;
use usher_tests::scim;

fn table() -> Arc<dyn Table> {
    Arc::new(SqliteTable::in_memory().expect("sqlite"))
}

#[tokio::test]
async fn deprovisioning_a_member_removes_their_access_on_their_very_next_request() {
    scim::deprovisioning_a_member_removes_their_access_on_their_very_next_request(table()).await;
}

#[tokio::test]
async fn deleting_a_person_revokes_their_pending_invitation() {
    scim::deleting_a_person_revokes_their_pending_invitation(table(), None).await;
}

#[tokio::test]
async fn a_member_renamed_by_the_identity_provider_is_still_deprovisioned() {
    scim::a_member_renamed_by_the_identity_provider_is_still_deprovisioned(table(), None).await;
}

#[tokio::test]
async fn a_person_in_two_mapped_groups_gets_the_higher_role() {
    scim::a_person_in_two_mapped_groups_gets_the_higher_role(table(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_creates_against_ten_free_seats_make_ten_invitations_and_190_blocked() {
    scim::two_hundred_creates_against_ten_free_seats_make_ten_invitations_and_190_blocked(table(), 200, None).await;
}

#[tokio::test]
async fn a_token_reads_only_its_tenant_and_a_revoked_one_is_refused_at_once() {
    scim::a_token_reads_only_its_tenant_and_a_revoked_one_is_refused_at_once(table(), None).await;
}

#[tokio::test]
async fn staged_people_are_listed_with_their_standing_and_invited_by_nobody() {
    scim::staged_people_are_listed_with_their_standing_and_invited_by_nobody(table(), None).await;
}
