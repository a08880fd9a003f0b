//! Large tenants for benchmarks and fault tests: members written straight into a store (no
//! invitations, no emails), fast enough for 100,000.

use usher_domain::model::Member;
use usher_domain::ports::Write;
use usher_domain::values::{Email, TenantId, Timestamp, UserId};

/// The `i`th seeded member of `tenant` (a viewer, `member<i>@example.com`), with `company` as
/// its company (a long one makes fat rows).
pub fn member(tenant: &TenantId, i: usize, now: Timestamp, company: Option<&str>) -> Member {
    Member {
        tenant_id: tenant.clone(),
        user_id: UserId::parse(&format!("usr_{i:032x}")).expect("user id"),
        email: Email::parse(&format!("member{i}@example.com")).expect("email"),
        username: None,
        name: None,
        role: usher_domain::roles::RoleName::parse("viewer").expect("role"),
        workspaces: Vec::new(),
        profile: usher_domain::values::Profile { company: company.map(str::to_owned), ..Default::default() },
        notifications: Default::default(),
        record_owner: false,
        metadata: None,
        locale: Default::default(),
        pending_email: None,
        joined_via: None,
        last_login_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Writes members `from..from + n` of `tenant` straight into the DynamoDB table `table`, 25 per
/// BatchWriteItem (DynamoDB's limit), retrying what a batch leaves unprocessed.
pub async fn members_into_dynamodb(table: &str, tenant: &TenantId, from: usize, n: usize, company: Option<&str>) {
    let client = crate::aws::dynamodb();
    let now = usher_domain::ports::Clock::now(&usher_store::SystemClock);
    let ids: Vec<usize> = (from..from + n).collect();
    for chunk in ids.chunks(25) {
        let mut batch: Vec<aws_sdk_dynamodb::types::WriteRequest> = chunk
            .iter()
            .map(|&i| {
                let Write::Put { item, .. } = usher_domain::schema::create(&member(tenant, i, now, company)) else {
                    unreachable!("create is a put")
                };
                let put = aws_sdk_dynamodb::types::PutRequest::builder()
                    .set_item(Some(usher_aws::dynamo::item_to_attrs(&item)))
                    .build()
                    .expect("put");
                aws_sdk_dynamodb::types::WriteRequest::builder().put_request(put).build()
            })
            .collect();
        while !batch.is_empty() {
            let out = client.batch_write_item().request_items(table, batch).send().await.expect("batch write");
            batch = out.unprocessed_items().and_then(|u| u.get(table)).cloned().unwrap_or_default();
        }
    }
}
