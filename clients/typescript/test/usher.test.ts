// The client against a real `usher serve`: every operation of openapi.yaml at least once, the
// seed flows end to end, bulk uploads, exports small and large, a dropped connection, paging,
// and a webhook verified and narrowed to its type.
import assert from "node:assert/strict";
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createTcpServer, connect, type Server as TcpServer } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  createUsherClient,
  isUsherError,
  unwrap,
  verifyWebhook,
  WebhookVerificationError,
  type Invitation,
  type Member,
  type UsherClient,
  type UsherEvent,
} from "../src/index.js";
import { freePort, sleep, startDnsStub, startUsher, type DnsStub, type Usher } from "./support.js";
import { operationIds, recording, seen } from "./operations.js";
import { readWorkbook, workbook } from "./xlsx.js";

// ---------------------------------------------------------------- a webhook receiver
interface Delivery { body: Buffer; headers: IncomingHttpHeaders }
const deliveries: Delivery[] = [];
let receiver: Server;
let receiverUrl: string;

let usher: Usher;
let dns: DnsStub; // verified domains' TXT records
let ops: UsherClient; // the SaaS backend: provisioning (an operator token locally, SigV4 on AWS)
let owner: UsherClient;
let tenantId: string;

function clientFor(token?: string) {
  return usher.client(token, { fetch: recording() });
}

// The direct-export limit is 5000 rows (USHER_EXPORT_DIRECT_ROWS' default; `usher serve` has no
// flag for it), so the large export needs 5001. Their 5000 invitation emails queue ahead of the
// export job on the delivery worker, so that tenant lives on a second server, filled while the
// other tests run.
let largeTenant: Promise<{ server: Usher; tenant: string; boss: UsherClient }>;

async function fillLargeTenant() {
  const server = await startUsher();
  const provision = server.client(undefined, { fetch: recording() });
  const tenant = unwrap(await provision.api.POST("/v1/tenants", {
    body: { name: "Large", owner_email: "owner@large.test", seat_limit: 6000 },
  })).id;
  const boss = server.client(await server.signIn("owner@large.test"), { fetch: recording() });
  for (let chunk = 0; chunk < 5; chunk++) {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ email: `l${chunk}-${i}@large.test`, role: "member" }));
    const report = await boss.bulkInvite(tenant, { rows });
    assert.equal(report.summary.invited, 1000);
  }
  return { server, tenant, boss };
}

before(async () => {
  largeTenant = fillLargeTenant();
  largeTenant.catch(() => {}); // awaited (and its failure reported) by its test
  receiver = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((ok) => receiver.listen(port, "127.0.0.1", ok));
  receiverUrl = `http://127.0.0.1:${port}/hooks/usher`;
  dns = await startDnsStub();
  usher = await startUsher({ webhookUrl: receiverUrl, args: ["--dns-server", dns.addr] });
  ops = clientFor();
});

after(async () => {
  await usher?.stop();
  dns?.stop();
  await largeTenant?.then((t) => t.server.stop(), () => {});
  await new Promise((ok) => receiver?.close(ok));
});

describe("the seed flows, end to end", () => {
  let ada: UsherClient;
  let adaInvitation: Invitation;
  let adaMember: Member;

  test("the backend provisions a tenant, reads it and changes its seat limit", async () => {
    const tenant = unwrap(
      await ops.api.POST("/v1/tenants", { body: { name: "Acme", owner_email: "owner@acme.test", seat_limit: 20 } }),
    );
    tenantId = tenant.id;
    assert.match(tenantId, /^ten_/);
    assert.equal(unwrap(await ops.api.GET("/v1/tenants/{tenantId}", { params: { path: { tenantId } } })).name, "Acme");
    const patched = unwrap(
      await ops.api.PATCH("/v1/tenants/{tenantId}", { params: { path: { tenantId } }, body: { seat_limit: 12000 } }),
    );
    assert.equal(patched.seats.limit, 12000);
  });

  test("the owner signs in, sees the tenant, records the sign-in and renames it", async () => {
    owner = clientFor(await usher.signIn("owner@acme.test", "Olive Owner"));
    const mine = unwrap(await owner.api.GET("/v1/me/tenants"));
    assert.deepEqual(mine.data.map((t) => t.tenant_id), [tenantId]);
    const signedIn = unwrap(await owner.api.POST("/v1/me/tenants/{tenantId}/sign-in", { params: { path: { tenantId } } }));
    assert.equal(signedIn.tenant_id, tenantId);
    const settings = unwrap(
      await owner.api.PATCH("/v1/tenants/{tenantId}/settings", { params: { path: { tenantId } }, body: { name: "Acme Corp" } }),
    );
    assert.equal(settings.name, "Acme Corp");
    assert.equal(unwrap(await owner.api.GET("/v1/tenants/{tenantId}/settings", { params: { path: { tenantId } } })).name, "Acme Corp");
  });

  test("a SCIM token provisions the directory, whose people, companies and settings are read back", async () => {
    const path = { tenantId };
    const created = unwrap(await owner.api.POST("/v1/tenants/{tenantId}/scim-tokens", { params: { path }, body: { name: "Okta" } }));
    assert.match(created.token, /^usher_scim_/);
    const settings = unwrap(await owner.api.PATCH("/v1/tenants/{tenantId}/directory/settings", {
      params: { path }, body: { provisioning: "stage", group_roles: { Drivers: "member" } },
    }));
    assert.equal(settings.group_roles.Drivers, "member");
    assert.equal(unwrap(await owner.api.GET("/v1/tenants/{tenantId}/directory/settings", { params: { path } })).provisioning, "stage");
    // The identity provider's side: SCIM 2.0 with the token as the Bearer (not this client's API).
    const scim = await fetch(`${usher.baseUrl}/scim/v2/Users`, {
      method: "POST",
      headers: { authorization: `Bearer ${created.token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        userName: "dora", title: "Driver", emails: [{ value: "dora@example.com", primary: true }],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { organization: "Acme North" },
      }),
    });
    assert.equal(scim.status, 201);
    const people = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/directory/people", {
      params: { path, query: { title: "Driver", status: "not_invited" } },
    }));
    assert.deepEqual(people.data.map((p) => p.email), ["dora@example.com"]);
    const companies = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/directory/companies", { params: { path } }));
    assert.ok(companies.data.some((c) => c.name === "Acme North" && c.people === 1));
    const tokens = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/scim-tokens", { params: { path } }));
    assert.deepEqual(tokens.data.map((t) => t.id), [created.id]);
    const revoked = await owner.api.DELETE("/v1/tenants/{tenantId}/scim-tokens/{tokenId}", { params: { path: { tenantId, tokenId: created.id } } });
    assert.equal(revoked.response.status, 204);
    const refused = await fetch(`${usher.baseUrl}/scim/v2/Users`, { headers: { authorization: `Bearer ${created.token}` } });
    assert.equal(refused.status, 401);
  });

  test("a join link is shown once, looked up, redeemed and disabled; a link with approval files requests an admin decides", async () => {
    // A tenant of its own: the people joining here are nobody else's count.
    const joiners = unwrap(await ops.api.POST("/v1/tenants", { body: { name: "Joiners", owner_email: "owner@joiners.test" } })).id;
    const owner = clientFor(await usher.signIn("owner@joiners.test"));
    const tenantId = joiners;
    const path = { tenantId };
    const link = unwrap(await owner.api.POST("/v1/tenants/{tenantId}/join-links", { params: { path }, body: { role: "member", max_uses: 5 } }));
    const token = link.url.split("#join=")[1] ?? "";
    assert.equal(token.length, 43);
    const looked = unwrap(await clientFor().api.POST("/v1/join-links/lookup", { body: { token } }));
    assert.deepEqual([looked.status, looked.remaining, looked.role], ["active", 5, "member"]);
    const joiner = clientFor(await usher.signIn("jo@example.com", "Jo Joiner"));
    const joined = unwrap(await joiner.api.POST("/v1/join-links/redeem", { body: { token } }));
    assert.equal(joined.outcome, "joined");
    assert.equal(joined.member?.role, "member");
    const links = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/join-links", { params: { path } }));
    const listed = links.data.find((l) => l.id === link.id);
    assert.equal(listed?.uses, 1);
    assert.ok(!JSON.stringify(links).includes(token), "the token is never shown again");
    const disabled = unwrap(await owner.api.DELETE("/v1/tenants/{tenantId}/join-links/{linkId}", { params: { path: { tenantId, linkId: link.id } } }));
    assert.equal(disabled.status, "disabled");

    const gated = unwrap(await owner.api.POST("/v1/tenants/{tenantId}/join-links", {
      params: { path }, body: { role: "viewer", max_uses: 2, approval: true },
    }));
    const gatedToken = gated.url.split("#join=")[1] ?? "";
    const asker = clientFor(await usher.signIn("rae@example.com", "Rae Asker"));
    const asked = await asker.api.POST("/v1/join-links/redeem", { body: { token: gatedToken } });
    assert.equal(asked.response.status, 202);
    const request = unwrap(asked).join_request;
    assert.equal(request?.status, "pending");
    const mine = unwrap(await asker.api.GET("/v1/me/join-requests"));
    assert.deepEqual(mine.data.map((r) => r.tenant_name), ["Joiners"]);
    const pending = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/join-requests", { params: { path, query: { status: "pending" } } }));
    assert.deepEqual(pending.data.map((r) => r.id), [request?.id]);
    const approved = unwrap(await owner.api.POST("/v1/tenants/{tenantId}/join-requests/{requestId}/approve", {
      params: { path: { tenantId, requestId: request?.id ?? "" } },
    }));
    assert.equal(approved.member.role, "viewer");
    const other = clientFor(await usher.signIn("sid@example.com"));
    const second = unwrap(await other.api.POST("/v1/join-links/redeem", { body: { token: gatedToken } })).join_request;
    const denied = unwrap(await owner.api.POST("/v1/tenants/{tenantId}/join-requests/{requestId}/deny", {
      params: { path: { tenantId, requestId: second?.id ?? "" } },
    }));
    assert.equal(denied.status, "denied");
  });

  test("a domain is proven by its TXT record, opened to joins, offered to a person at it, joined, and removed", async () => {
    const tenantId = unwrap(await ops.api.POST("/v1/tenants", { body: { name: "Domainers", owner_email: "owner@domainers.test" } })).id;
    const owner = clientFor(await usher.signIn("owner@domainers.test"));
    const path = { tenantId };
    const added = unwrap(await owner.api.POST("/v1/tenants/{tenantId}/domains", { params: { path }, body: { domain: "Domainers.TEST" } }));
    assert.deepEqual([added.domain, added.status, added.verification.name], ["domainers.test", "pending", "_usher-verification.domainers.test"]);
    const domain = { tenantId, domain: added.domain };
    const notYet = unwrap(await owner.api.POST("/v1/tenants/{tenantId}/domains/{domain}/verify", { params: { path: domain } }));
    assert.equal(notYet.status, "pending");
    assert.match(notYet.check_reason ?? "", /no TXT record/);
    dns.setTxt(added.verification.name, [added.verification.value]);
    const verified = unwrap(await owner.api.POST("/v1/tenants/{tenantId}/domains/{domain}/verify", { params: { path: domain } }));
    assert.equal(verified.status, "verified");
    const opened = unwrap(await owner.api.PATCH("/v1/tenants/{tenantId}/domains/{domain}", {
      params: { path: domain }, body: { join: "auto", join_role: "member" },
    }));
    assert.deepEqual([opened.join, opened.join_role], ["auto", "member"]);
    const listed = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/domains", { params: { path } }));
    assert.deepEqual(listed.data.map((d) => d.domain), ["domainers.test"]);
    const dee = clientFor(await usher.signIn("dee@domainers.test", "Dee"));
    const offered = unwrap(await dee.api.GET("/v1/me/joinable-tenants"));
    assert.deepEqual(offered.data.map((t) => [t.tenant_name, t.join, t.role]), [["Domainers", "auto", "member"]]);
    const joined = unwrap(await dee.api.POST("/v1/me/tenants/{tenantId}/join", { params: { path } }));
    assert.deepEqual([joined.outcome, joined.member?.role], ["joined", "member"]);
    const gone = await owner.api.DELETE("/v1/tenants/{tenantId}/domains/{domain}", { params: { path: domain } });
    assert.equal(gone.response.status, 204);
    const refused = await clientFor(await usher.signIn("eli@domainers.test")).api.POST("/v1/me/tenants/{tenantId}/join", { params: { path } });
    assert.equal(refused.error?.code, "domain_not_allowed");
    const gmail = await owner.api.POST("/v1/tenants/{tenantId}/domains", { params: { path }, body: { domain: "gmail.com" } });
    assert.equal(gmail.error?.code, "consumer_domain");
  });

  test("custom roles and workspaces are created, read and deleted", async () => {
    const path = { tenantId, name: "auditor" };
    unwrap(await owner.api.PUT("/v1/tenants/{tenantId}/roles/{name}", {
      params: { path }, body: { permissions: ["members.read", "invitations.read"], description: "Reads" },
    }));
    assert.deepEqual(unwrap(await owner.api.GET("/v1/tenants/{tenantId}/roles/{name}", { params: { path } })).permissions.sort(),
      ["invitations.read", "members.read"]);
    const roles = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/roles", { params: { path: { tenantId } } }));
    assert.ok(roles.data.some((r) => r.name === "auditor"));
    const deleted = await owner.api.DELETE("/v1/tenants/{tenantId}/roles/{name}", { params: { path } });
    assert.equal(deleted.response.status, 204);

    for (const [workspaceId, isDefault] of [["north", true], ["south", false], ["temp", false]] as const) {
      unwrap(await owner.api.PUT("/v1/tenants/{tenantId}/workspaces/{workspaceId}", {
        params: { path: { tenantId, workspaceId } }, body: { name: `${workspaceId} depot`, default: isDefault },
      }));
    }
    const gone = await owner.api.DELETE("/v1/tenants/{tenantId}/workspaces/{workspaceId}", {
      params: { path: { tenantId, workspaceId: "temp" } },
    });
    assert.equal(gone.response.status, 204);
    const workspaces = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/workspaces", { params: { path: { tenantId } } }));
    assert.deepEqual(workspaces.data.map((w) => w.id).sort(), ["north", "south"]);
  });

  test("an invitation is created, listed, corrected, resent, looked up and accepted", async () => {
    adaInvitation = await owner.invite(tenantId, {
      email: "ada@example.com", role: "admin", workspaces: ["north"],
      profile: { first_name: "Ada", last_name: "Lovelace" }, message: "Welcome!",
    });
    assert.equal(adaInvitation.status, "pending");
    const firstLink = await usher.linkToken("ada@example.com");

    const listed = [];
    for await (const i of owner.each("/v1/tenants/{tenantId}/invitations", { path: { tenantId }, query: { status: "pending" } })) listed.push(i.email);
    assert.deepEqual(listed, ["ada@example.com"]);

    const corrected = unwrap(await owner.api.PATCH("/v1/tenants/{tenantId}/invitations/{invitationId}", {
      params: { path: { tenantId, invitationId: adaInvitation.id } }, body: { role: "member" },
    }));
    assert.equal(corrected.role, "member");
    const resent = unwrap(await owner.api.POST("/v1/tenants/{tenantId}/invitations/{invitationId}/resend", {
      params: { path: { tenantId, invitationId: adaInvitation.id } },
    }));
    assert.equal(resent.resend_count, 1);
    const got = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/invitations/{invitationId}", {
      params: { path: { tenantId, invitationId: adaInvitation.id } },
    }));
    assert.equal(got.resend_count, 1);

    const link = await usher.linkToken("ada@example.com", { after: firstLink });
    const anonymous = clientFor();
    const lookup = unwrap(await anonymous.api.POST("/v1/invitations/lookup", { body: { token: link } }));
    assert.deepEqual([lookup.tenant_name, lookup.role, lookup.status], ["Acme Corp", "member", "pending"]);

    ada = clientFor(await usher.signIn("ada@example.com", "Ada Lovelace"));
    const waiting = unwrap(await ada.api.GET("/v1/me/invitations"));
    assert.deepEqual(waiting.data.map((i) => i.id), [adaInvitation.id]);
    const accepted = unwrap(await ada.api.POST("/v1/invitations/accept", { body: { token: link } }));
    adaMember = accepted.member;
    assert.deepEqual([accepted.tenant_id, adaMember.role, adaMember.email], [tenantId, "member", "ada@example.com"]);
  });

  test("the members are listed with their seats, and one is updated", async () => {
    const page = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/members", { params: { path: { tenantId } } }));
    assert.equal(page.seats.members, 2);
    const emails = [];
    for await (const m of owner.each("/v1/tenants/{tenantId}/members", { path: { tenantId } })) emails.push(m.email);
    assert.deepEqual(emails.sort(), ["ada@example.com", "owner@acme.test"]);
    const updated = unwrap(await owner.api.PATCH("/v1/tenants/{tenantId}/members/{userId}", {
      params: { path: { tenantId, userId: adaMember.user_id } },
      body: { role: "admin", profile: { company: "Analytical Engines Ltd" } },
    }));
    assert.deepEqual([updated.role, updated.profile.company], ["admin", "Analytical Engines Ltd"]);
  });

  test("a member's new address is confirmed with the link sent to it", async () => {
    const asked = unwrap(await owner.api.PATCH("/v1/tenants/{tenantId}/members/{userId}", {
      params: { path: { tenantId, userId: adaMember.user_id } }, body: { email: "ada.lovelace@example.com" },
    }));
    assert.equal(asked.pending_email?.email, "ada.lovelace@example.com");
    const emailToken = await usher.linkToken("ada.lovelace@example.com", { kind: "email_token" });
    const confirmed = unwrap(await ada.api.POST("/v1/email-changes/confirm", { body: { token: emailToken } }));
    assert.equal(confirmed.email, "ada.lovelace@example.com");
  });

  test("an invitee declines, another invitation is revoked, an expired one asks for renewal", async () => {
    const bo = await owner.invite(tenantId, { email: "bo@example.com", role: "viewer" });
    const boLink = await usher.linkToken("bo@example.com");
    const boClient = clientFor(await usher.signIn("bo@example.com"));
    const declined = unwrap(await boClient.api.POST("/v1/invitations/decline", { body: { token: boLink, reason: "Not now" } }));
    assert.deepEqual([declined.id, declined.status], [bo.id, "declined"]);

    const cy = await owner.invite(tenantId, { email: "cy@example.com", role: "member" });
    const revoked = unwrap(await owner.api.DELETE("/v1/tenants/{tenantId}/invitations/{invitationId}", {
      params: { path: { tenantId, invitationId: cy.id } },
    }));
    assert.equal(revoked.status, "revoked");

    await owner.invite(tenantId, { email: "dee@example.com", role: "member", expires_in_days: 1 });
    const deeLink = await usher.linkToken("dee@example.com");
    usher.cli("expire", "--now", new Date(Date.now() + 3 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z"));
    const renewal = unwrap(await clientFor().api.POST("/v1/invitations/renewal-request", { body: { token: deeLink } }));
    assert.equal(renewal.status, "requested");
  });

  test("a member leaves, and another is removed with their address confirmed", async () => {
    await owner.invite(tenantId, { email: "eve@example.com", role: "member" });
    const eve = clientFor(await usher.signIn("eve@example.com"));
    unwrap(await eve.api.POST("/v1/invitations/accept", { body: { token: await usher.linkToken("eve@example.com") } }));
    const left = await eve.api.DELETE("/v1/me/tenants/{tenantId}", { params: { path: { tenantId } } });
    assert.equal(left.response.status, 204);

    await owner.invite(tenantId, { email: "fay@example.com", role: "member" });
    const fay = clientFor(await usher.signIn("fay@example.com"));
    const joined = unwrap(await fay.api.POST("/v1/invitations/accept", { body: { token: await usher.linkToken("fay@example.com") } }));
    const removed = await owner.api.DELETE("/v1/tenants/{tenantId}/members/{userId}", {
      params: { path: { tenantId, userId: joined.member.user_id } }, body: { confirm_email: "fay@example.com" },
    });
    assert.equal(removed.response.status, 204);
  });

  test("the audit log is paged through, newest first", async () => {
    const actions = [];
    for await (const e of owner.each("/v1/tenants/{tenantId}/audit", { path: { tenantId }, query: { limit: 5 } })) actions.push(e.action);
    assert.ok(actions.length > 10, `only ${actions.length} audit events`);
    assert.equal(actions.at(-1), "tenant.created");
    assert.ok(actions.includes("invitation.accepted") && actions.includes("member.removed"));
  });
});

describe("errors", () => {
  test("an error answer is a typed problem carrying its code and field errors", async () => {
    const error = await owner.invite(tenantId, { email: "not-an-address", role: "member" }).catch((e: unknown) => e);
    assert.ok(isUsherError(error, "invalid_request"), String(error));
    assert.equal(error.status, 400);
    assert.deepEqual(error.fieldErrors.map((f) => [f.field, f.code]), [["email", "invalid_email"]]);
    assert.match(error.requestId ?? "", /\S/);
  });

  test("an export asked of a tenant the caller is not in is a typed 404, not a file", async () => {
    const error = await owner.exportMembers("ten_0000000000000000", { format: "xlsx" }).catch((e: unknown) => e);
    assert.ok(isUsherError(error, "not_found"), String(error));
    assert.equal(error.status, 404);
  });

  test("the development server's userinfo route answers its documented 501", async () => {
    const result = await owner.api.POST("/v1/me/userinfo", { body: { access_token: "x".repeat(20) } });
    const error = (() => { try { unwrap(result); } catch (e) { return e; } })();
    assert.ok(isUsherError(error, "userinfo_not_configured"), String(error));
    assert.equal(error.status, 501);
  });

  test("a person's token on a provisioning route is a typed 403", async () => {
    const result = await owner.api.GET("/v1/tenants/{tenantId}", { params: { path: { tenantId } }, headers: { authorization: `Bearer ${await usher.signIn("owner@acme.test")}` } });
    assert.equal(result.response.status, 403);
    assert.equal(result.error?.code, "forbidden");
  });
});

describe("bulk invitations", () => {
  test("JSON rows on a dry run report what would happen and write nothing", async () => {
    const report = await owner.bulkInvite(tenantId, { rows: [
      { email: "row1@example.com", role: "member" },
      { email: "ada.lovelace@example.com", role: "member" },
    ] }, { dryRun: true });
    assert.equal(report.dry_run, true);
    assert.deepEqual(report.results.map((r) => [r.row, r.outcome, r.code ?? null]),
      [[1, "would_invite", null], [2, "error", "already_member"]]);
    const pending = [];
    for await (const i of owner.each("/v1/tenants/{tenantId}/invitations", { path: { tenantId }, query: { email: "row1@" } })) pending.push(i);
    assert.equal(pending.length, 0);
  });

  test("a CSV upload is judged row by row", async () => {
    const report = await owner.bulkInvite(tenantId, {
      csv: "email,role,first_name,last_name,workspaces\r\ncsv1@example.com,member,Csv,One,south\r\n,member,No,Email,\r\n",
    });
    assert.deepEqual(report.summary, { rows: 2, invited: 1, errors: 1 });
    assert.deepEqual(report.results.map((r) => [r.outcome, r.code ?? null]), [["invited", null], ["error", "invalid_request"]]);
    assert.deepEqual(report.results[0]?.invitation?.workspaces, ["south"]);
  });

  test("an XLSX upload is read from its first sheet and each row reported", async () => {
    const bytes = await workbook([
      ["email", "role", "first_name", "last_name", "phone", "favourite_colour"],
      ["xl1@example.com", "member", "Grace", "Hopper", 4420794600, "blue"],
      ["xl2@example.com", "no-such-role", "Alan", "Turing", "", ""],
      ["xl1@example.com", "member", "Grace", "Again", "", ""],
    ]);
    const report = await owner.bulkInvite(tenantId, { xlsx: bytes });
    assert.deepEqual(report.results.map((r) => [r.row, r.email, r.outcome, r.code ?? null]), [
      [1, "xl1@example.com", "invited", null],
      [2, "xl2@example.com", "error", "unknown_role"],
      [3, "xl1@example.com", "error", "duplicate_in_upload"],
    ]);
    assert.equal(report.results[0]?.invitation?.profile?.phone, "4420794600");
    assert.ok(report.warnings?.some((w) => w.includes("favourite_colour")), JSON.stringify(report.warnings));
  });
});

describe("exports", () => {
  test("a small tenant's export comes in the answer, CSV and XLSX", async () => {
    const csv = await owner.exportMembers(tenantId, { includeInvitations: true });
    assert.equal(csv.via, "direct");
    assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]); // the BOM spreadsheet apps need
    const text = new TextDecoder().decode(csv.bytes);
    assert.ok(text.startsWith("id,name,username,role,email,"), text.slice(0, 80));
    assert.ok(text.includes("ada.lovelace@example.com") && text.includes("pending_activation"));
    assert.match(csv.filename ?? "", /^members-ten_\w+-\d{4}-\d{2}-\d{2}\.csv$/);

    const xlsx = await owner.exportMembers(tenantId, { format: "xlsx" });
    assert.deepEqual([...xlsx.bytes.subarray(0, 2)], [0x50, 0x4b]); // a zip: the bytes survived
    const book = await readWorkbook(xlsx.bytes);
    assert.equal(book.sheet, "Members");
    assert.deepEqual(book.rows[0]?.slice(0, 5), ["id", "name", "username", "role", "email"]);
    assert.ok(book.rows.some((r) => r.includes("ada.lovelace@example.com")));
  });
});

describe("webhooks", () => {
  test("a delivery is verified with the data dir's secret and narrowed to its type", async () => {
    const secret = readFileSync(join(usher.dataDir, "webhook-secret"), "utf8").trim();
    let accepted: UsherEvent | undefined;
    for (let i = 0; i < 600 && !accepted; i++) { // 30 s: events are published after the change
      for (const d of deliveries) {
        const event = verifyWebhook(d.body, d.headers, secret);
        if (event.type === "usher.invitation.accepted") accepted = event;
      }
      if (!accepted) await sleep(50);
    }
    assert.ok(accepted, `no usher.invitation.accepted among ${deliveries.length} deliveries`);
    if (accepted.type !== "usher.invitation.accepted") throw new Error("unreachable");
    // Narrowed: the resource is an Invitation (this line would not compile otherwise).
    const invitation: Invitation = accepted.data.resource;
    assert.equal(invitation.status, "accepted");
    assert.equal(accepted.tenantid, tenantId);
    assert.equal(seen.add("usherEvent").has("usherEvent"), true);

    const removed = deliveries.map((d) => verifyWebhook(d.body, d.headers, secret)).find((e) => e.type === "usher.member.removed");
    assert.ok(removed);
    if (removed.type === "usher.member.removed") {
      const nothing: null = removed.data.resource;
      assert.equal(nothing, null);
    }
  });

  test("a tampered body or another secret is refused", async () => {
    const secret = readFileSync(join(usher.dataDir, "webhook-secret"), "utf8").trim();
    const d = deliveries[0];
    assert.ok(d);
    const tampered = Buffer.from(d.body.toString().replace("usher/", "usher/x"));
    assert.throws(() => verifyWebhook(tampered, d.headers, secret), WebhookVerificationError);
    assert.throws(() => verifyWebhook(d.body, d.headers, "whsec_" + Buffer.from("another secret 32 bytes long....").toString("base64")), WebhookVerificationError);
  });
});

describe("retries", () => {
  test("a write whose answer is lost on a dropped connection is retried with its key and done once", async () => {
    // A TCP proxy that lets the first request through to usher serve, then cuts the connection
    // instead of passing the answer back.
    let cut = true;
    const proxy: TcpServer = createTcpServer((client) => {
      const upstream = connect(usher.port, "127.0.0.1");
      client.pipe(upstream);
      upstream.on("data", (chunk: Buffer) => {
        if (cut) {
          cut = false;
          client.destroy();
          upstream.destroy();
        } else {
          client.write(chunk);
        }
      });
      upstream.on("end", () => client.end());
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    const port = await freePort();
    await new Promise<void>((ok) => proxy.listen(port, "127.0.0.1", ok));
    try {
      const replays: string[] = [];
      const viaProxy = createUsherClient({
        baseUrl: `http://127.0.0.1:${port}`,
        token: await usher.signIn("owner@acme.test"),
        fetch: recording(async (r) => {
          const response = await fetch(r);
          replays.push(`${response.status} ${response.headers.get("idempotent-replayed") ?? "-"}`);
          return response;
        }),
      });
      const invitation = await viaProxy.invite(tenantId, { email: "dropped@example.com", role: "member" });
      assert.equal(cut, false, "the proxy never cut a connection");
      assert.deepEqual(replays, ["201 true"]); // the second try got the first one's answer again
      const found = [];
      for await (const i of owner.each("/v1/tenants/{tenantId}/invitations", { path: { tenantId }, query: { email: "dropped@" } })) found.push(i.id);
      assert.deepEqual(found, [invitation.id]);
    } finally {
      await new Promise((ok) => proxy.close(ok));
    }
  });
});

describe("paging", () => {
  test("250 members are paged through, each once", async () => {
    const paging = unwrap(await ops.api.POST("/v1/tenants", { body: { name: "Paging", owner_email: "owner@paging.test", seat_limit: 300 } }));
    const boss = clientFor(await usher.signIn("owner@paging.test"));
    const emails = Array.from({ length: 250 }, (_, i) => `p${String(i).padStart(3, "0")}@paging.test`);
    const report = await boss.bulkInvite(paging.id, { rows: emails.map((email) => ({ email, role: "member" })) });
    assert.equal(report.summary.invited, 250);
    let links = new Map<string, string>();
    for (let i = 0; i < 1200 && emails.some((e) => !links.has(e)); i++) { // 60 s
      await sleep(50);
      links = usher.allLinkTokens();
    }
    for (let i = 0; i < emails.length; i += 25) {
      await Promise.all(emails.slice(i, i + 25).map(async (email) => {
        const person = clientFor(await usher.signIn(email));
        const token = links.get(email);
        assert.ok(token, `no link for ${email}`);
        unwrap(await person.api.POST("/v1/invitations/accept", { body: { token } }));
      }));
    }
    const ids: string[] = [];
    let pages = 0;
    const counting = usher.client(await usher.signIn("owner@paging.test"), {
      fetch: recording(async (r) => { pages++; return fetch(r); }),
    });
    for await (const m of counting.each("/v1/tenants/{tenantId}/members", { path: { tenantId: paging.id }, query: { limit: 100 } })) ids.push(m.user_id);
    assert.equal(ids.length, 251); // 250 and the owner
    assert.equal(new Set(ids).size, 251);
    assert.ok(pages >= 3, `${pages} pages`);
  });
});

describe("the directory", () => {
  test("an uploaded employee list fills the directory and its people are invited by id", async () => {
    const tenant = unwrap(await ops.api.POST("/v1/tenants", { body: { name: "Directory Co", owner_email: "owner@directory.test" } }));
    const tenantId = tenant.id;
    const owner = clientFor(await usher.signIn("owner@directory.test"));
    const path = { tenantId };
    const csv = "external_id,email,first_name,last_name,title\r\nE-7,uma@example.com,Uma,Upload,Driver\r\nE-8,,Vic,NoMail,Driver\r\n";
    const uploaded = unwrap(await owner.api.PUT("/v1/tenants/{tenantId}/directory", {
      params: { path },
      headers: { "content-type": "text/csv" },
      body: new Blob([csv], { type: "text/csv" }),
      bodySerializer: (b) => b as Blob,
    }));
    assert.equal(uploaded.added, 2);
    assert.equal(uploaded.error_count, 0);
    const people = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/directory/people", {
      params: { path, query: { q: "uma" } },
    }));
    const [uma] = people.data;
    assert.ok(uma);
    assert.equal(uma.email, "uma@example.com");
    const [vic] = unwrap(await owner.api.GET("/v1/tenants/{tenantId}/directory/people", { params: { path, query: { q: "vic" } } })).data;
    assert.ok(vic);
    const report = await owner.bulkInvite(tenantId, { rows: [
      { directory_person_id: uma.id, role: "member" },
      { directory_person_id: vic.id, role: "member" },
    ] });
    assert.deepEqual(report.results.map((r) => [r.outcome, r.code ?? null, r.email ?? null]),
      [["invited", null, "uma@example.com"], ["error", "missing_email", null]]);
  });
});

describe("a large export", () => {
  test("past the direct-export limit the 202 is followed to the file's bytes", async () => {
    const { tenant, boss } = await largeTenant;
    const file = await boss.exportMembers(tenant, { format: "xlsx", includeInvitations: true, pollIntervalMs: 200 });
    assert.equal(file.via, "job");
    assert.equal(file.job?.status, "ready");
    assert.equal(file.job?.bytes, file.bytes.byteLength);
    const book = await readWorkbook(file.bytes);
    assert.equal(book.rows.length, 1 + 5001); // the header, the owner, 5000 pending invitations
    assert.ok(book.rows.some((r) => r.includes("l4-999@large.test")));
  });
});

test("every operation of openapi.yaml was called at least once", () => {
  const missing = operationIds.filter((id) => !seen.has(id));
  assert.deepEqual(missing, []);
  assert.ok(seen.has("usherEvent"));
});
