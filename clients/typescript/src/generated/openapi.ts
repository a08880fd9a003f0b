// Generated from openapi.yaml by openapi-typescript. Do not edit: run `npm run generate`.

export interface paths {
    "/v1/tenants/{tenantId}/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * List a tenant's invitations
         * @description The tenant's invitations, newest first (needs `invitations.read`). `status` filters on
         *     the effective status: an overdue pending invitation is `expired`, whether or not the
         *     schedule has marked it yet. `email` is a prefix of the (lower-cased) address; `role` an
         *     exact role name.
         */
        get: operations["listInvitations"];
        put?: never;
        /**
         * Invite one person, or many (bulk, with a review step)
         * @description Invites one person by email with a role (needs `invitations.create`, and the caller must
         *     be able to grant the role). The invitation is saved, a seat is taken and its email is
         *     queued, all in one write; the email is not sent before the answer: the `201` shows
         *     `delivery.status: pending`, and the delivery worker sends it right after, at the mail
         *     service's rate, with its own link. `getInvitation` then shows `sent`, or `failed` with
         *     `last_error` (the schedule retries a failed send with backoff while attempts remain);
         *     an email whose worker never got to it is queued again by the schedule. At most one pending invitation exists per (tenant, email): inviting an address
         *     that has one is `409 already_invited`, a member's address `409 already_member`. An
         *     invitation over the tenant's seat limit is `409 seat_limit_reached`. A role the tenant
         *     does not have is `400` (field `role`, code `unknown_role`). When the tenant has
         *     `allowed_domains`, an address whose domain is not exactly one of them (a subdomain is
         *     another domain) is `403 domain_not_allowed`.
         *
         *     **Workspaces**: a tenant that defines no workspaces (`listWorkspaces` is empty) takes
         *     the names in `workspaces` as given. Once it defines any, every name in `workspaces`
         *     must be one of its workspace ids (`400`, field `workspaces`, code
         *     `unknown_workspace`), and an invitation that names none (`workspaces` absent or empty)
         *     gets the tenant's default workspaces (those with `default: true`; none if there are
         *     none). A workspace deleted at the same moment is never given: the invite is decided
         *     again against the tenant's workspaces as they now are.
         *
         *     `notifications` sets which emails the person gets once a member; fields left out take
         *     the defaults (`weekly_summary` false, `weekly_summary_workspaces` empty, `new_messages`
         *     and `renewal_requests` true). The weekly summary's workspaces must be among the
         *     invitation's `workspaces` (`400`, field `notifications.weekly_summary_workspaces`, code
         *     `unknown_workspace`). `record_owner` (default false) says whether the host application
         *     may assign records to the person. `metadata` is the host application's own JSON object
         *     (at most 4096 bytes serialised: `400`, field `metadata`, code `too_large`; not an
         *     object: code `invalid_type`), stored and returned but never interpreted by Usher. All
         *     three are carried to the membership on accept, and changed with `updateInvitation`
         *     (then `updateMember`).
         *
         *     **Bulk**: a JSON body `{"invitations": [...], "dry_run"?: bool}` (1 to 1000 rows, each
         *     every field of a single invite), or an upload: a `text/csv` body, or an XLSX workbook
         *     (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`, its first sheet),
         *     with a header row (columns `email, role, first_name, last_name, phone, employee_number,
         *     company, workspaces` (separated by `;`), `locale, expires_in_days, message`, in any case
         *     (`notifications`, `record_owner` and `metadata` are for JSON rows only);
         *     unknown columns are reported in `warnings`, not refused; an empty cell is an absent field,
         *     so a row without an email is that row's `invalid_request`; in a workbook a number is its
         *     digits (a phone typed as a number has no `.0`) and a date `YYYY-MM-DD`; `?dry_run=true`
         *     for a review). A body that is not readable as its type is `400` (field `body`, code
         *     `invalid_csv` or `invalid_xlsx`). Answers `200` with one
         *     result per row, in order, and a `summary`. Each row is judged alone: `invalid_request`
         *     (with the row's field errors at `invitations[i].field`), `unknown_workspace` (a
         *     workspace the tenant does not define; rows naming none get the default ones, as a
         *     single invite does), `domain_not_allowed`,
         *     `duplicate_in_upload`, `unknown_role`, `role_not_grantable`, `already_member`,
         *     `already_invited`, `seat_limit_reached` (seats go to rows in order), or `unavailable`
         *     (the row could not be saved for contention: send it again). `dry_run: true` is the
         *     review step: it answers exactly what the real call would do at that moment and writes
         *     and sends nothing.
         *     `Accept: text/csv` answers the report as CSV (`row, email, outcome, code, message,
         *     invitation_id, role, expires_at`; the downloadable "invitations" and "errors" reports).
         *     More than 1000 rows is `413 payload_too_large`. The emails of a bulk call are queued,
         *     not sent, by the call: each invitation is saved with `delivery.status: pending` and its
         *     email queued in the same write, and the delivery worker sends them at the mail
         *     service's rate as each chunk of rows is saved (some may go out before the answer, most
         *     after), each with its own link; `delivery` then shows `sent`, or `failed` and retried.
         *     An email whose wake-up was lost (a process stopped) is queued again by the schedule
         *     five minutes after it was saved. So a 1000-row call answers in seconds and nothing is
         *     lost if a process stops midway.
         */
        post: operations["createInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/invitations/{invitationId}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The invitation's id. A malformed id is `404`. */
                invitationId: components["parameters"]["InvitationId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send an invitation again with a new link
         * @description Sends the invitation again with a **new** token and a fresh expiry (now plus the
         *     invitation's lifetime); the previous link stops working (it reads as replaced:
         *     `410 invitation_expired` on accept). `resend_count` goes up by one, and `reminded_at`
         *     is cleared: the new link gets its own reminder (see Reminders). Needs
         *     `invitations.resend`, and the caller must be able to grant the invitation's role
         *     (`403 role_not_grantable`).
         *
         *     Also **re-arms an `expired` invitation**: it becomes `pending` again, which takes the
         *     address and a seat again, so it can fail with `409 already_invited` (the address has
         *     another pending invitation now), `409 already_member` or `409 seat_limit_reached`.
         *     An accepted, declined or revoked invitation stays closed: `409 invalid_state`. No
         *     request body.
         */
        post: operations["resendInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/invitations/{invitationId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The invitation's id. A malformed id is `404`. */
                invitationId: components["parameters"]["InvitationId"];
            };
            cookie?: never;
        };
        /**
         * Read one invitation
         * @description One invitation of the tenant, with its effective status (needs `invitations.read`).
         */
        get: operations["getInvitation"];
        put?: never;
        post?: never;
        /**
         * Revoke a pending invitation
         * @description Withdraws a pending invitation (needs `invitations.revoke`): it becomes `revoked`, its
         *     link stops working (`410 invitation_revoked`), and its seat and address are freed. Only
         *     a pending invitation can be revoked; any other (including an overdue one) is
         *     `409 invalid_state`. Answers the revoked invitation. No request body.
         */
        delete: operations["revokeInvitation"];
        options?: never;
        head?: never;
        /**
         * Change a pending invitation (no new email)
         * @description Corrects what a **pending** invitation offers (its role, workspaces, profile, locale,
         *     notification settings, `record_owner` and `metadata`) without sending anything: no new
         *     email, no new token; the link the invitee holds keeps working until the same
         *     `expires_at`, and now grants the changed access. Needs `invitations.create`, and the
         *     caller must be able to grant both the role the invitation offers now and the new one
         *     (`403 role_not_grantable`, e.g. an admin changing an owner invitation, or turning one
         *     into it). A new role must exist in the tenant (`400`, field `role`, code
         *     `unknown_role`).
         *
         *     Absent fields stay as they are. `workspaces` replaces the list, and the weekly summary
         *     drops workspaces no longer among it. Once the tenant defines workspaces, each must be
         *     one of them (`400`, field `workspaces`, code `unknown_workspace`), and an empty list
         *     gives the tenant's default workspaces, as on `createInvitation`; a tenant that defines
         *     none takes the names as given. A workspace deleted at the same moment is never given:
         *     the patch is decided again against the workspaces as they now are. In `profile` an
         *     empty string clears a field.
         *     `notifications` changes only the fields it names; the weekly summary's workspaces must
         *     be among the invitation's (`400`, field `notifications.weekly_summary_workspaces`, code
         *     `unknown_workspace`). `metadata` replaces the object (at most 4096 bytes serialised,
         *     code `too_large`; not an object, code `invalid_type`); `null` clears it.
         *
         *     Only a pending invitation can be changed: an accepted, declined, revoked or expired one
         *     (including an overdue one the schedule has not marked yet) is `409 invalid_state`
         *     (resend an expired one first). A patch that changes nothing answers the invitation as
         *     is.
         */
        patch: operations["updateInvitation"];
        trace?: never;
    };
    "/v1/tenants/{tenantId}/members": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * List a tenant's members, with seats
         * @description The tenant's members (needs `members.read`), with the tenant's seat usage and the
         *     number of members per role. `role` filters on an exact role name; `q` on a prefix of the
         *     first name, last name, full name, username or email (case-insensitive). A `viewer` sees
         *     only themself in `data` (`seats` and `roles` are the tenant's).
         */
        get: operations["listMembers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/members/export": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * Export the tenant's people as CSV or XLSX
         * @description The whole tenant's members (and, with `include=invitations`, its pending invitations) as
         *     one file (needs `members.export`). The format is chosen by the `format` query parameter,
         *     not by `Accept`. The file is an attachment named `members-{tenantId}-{YYYY-MM-DD}.csv`
         *     or `.xlsx`.
         *
         *     **Small or large.** A tenant with at most the deployment's direct-export limit of rows
         *     (`USHER_EXPORT_DIRECT_ROWS`, 5000 by default; counted from the tenant's seat counters:
         *     its members, plus its pending invitations with `include=invitations`) gets the file in
         *     this response, `200`. A larger tenant gets `202` with an `ExportStatus` (`status:
         *     queued`) and `Location: /v1/tenants/{tenantId}/exports/{exportId}`: the file is written
         *     in the background, and that route (`getExport`) says when it is `ready` and then gives a
         *     short-lived download link. Each `202` starts a new export. The file and its status are
         *     kept for a day.
         *
         *     Columns, in this order, with a header row:
         *
         *     | column | member | pending invitation |
         *     |---|---|---|
         *     | `id` | user id (`usr_...`) | invitation id (`inv_...`) |
         *     | `name` | profile first and last name | profile first and last name |
         *     | `username` | username at the identity provider | empty |
         *     | `role` | role | role on accepting |
         *     | `email` | email | invited email |
         *     | `phone` | profile phone | profile phone |
         *     | `last_login` | last sign-in seen (RFC 3339) | empty |
         *     | `employee_number` | profile employee number | profile employee number |
         *     | `company` | profile company | profile company |
         *     | `created` | joined (RFC 3339) | invited (RFC 3339) |
         *     | `updated` | last changed (RFC 3339) | last changed (RFC 3339) |
         *     | `status` | `active` | `pending_activation` |
         *
         *     **CSV** is RFC 4180 (CRLF line ends, fields with commas, quotes or line breaks quoted,
         *     quotes doubled), UTF-8 with a byte-order mark so spreadsheet apps pick UTF-8. A cell that
         *     begins with `=`, `+`, `-`, `@`, a tab or a carriage return is neutralised with a leading
         *     apostrophe (`'`), so opening the file can never run a formula (CSV injection).
         *     **XLSX** is a real workbook: one sheet named `Members`, a bold frozen header row, and
         *     every cell written as a string (never a formula).
         */
        get: operations["exportMembers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/exports/{exportId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The export's id, from the `202` of `exportMembers`. A malformed id is `404`. */
                exportId: components["parameters"]["ExportId"];
            };
            cookie?: never;
        };
        /**
         * Follow a large export, and download its file
         * @description A large export started by `exportMembers` (`202`), needs `members.export`. `status` is
         *     `queued`, `running`, `ready` (with `rows`, `bytes` and `url`) or `failed` (with
         *     `error`; start a new export). `url` is a link to download the file (a presigned GET,
         *     no `Authorization` header), valid 15 minutes (`url_expires_at`); every read gives a
         *     fresh one. The file and this status are deleted a day after `created_at`
         *     (`expires_at`); after that, an unknown id, or another tenant's export, is
         *     `404 not_found`.
         */
        get: operations["getExport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/members/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The member's user id. A malformed id is `404`. */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a member (or leave the tenant)
         * @description Removes the membership and frees its seat and address. The body must carry
         *     `confirm_email`, equal to the member's email (compared after normalisation): missing is
         *     `400` with code `required`, different is `400` with code `does_not_match` (field
         *     `confirm_email`). Removing someone else needs `members.remove` and that the caller could
         *     grant the member's role (`403 role_not_grantable`, e.g. an admin removing an owner); any
         *     member may remove themself (leave; `leaveTenant` does the same without the
         *     confirmation). The last owner cannot be removed (`409 invalid_state`).
         */
        delete: operations["removeMember"];
        options?: never;
        head?: never;
        /**
         * Change a member's role, workspaces, profile, notifications, record owner, metadata or address
         * @description Absent fields stay as they are. A member may change their own `profile` and
         *     `notifications`; a `role`, `workspaces`, `record_owner`, `metadata` or `email`
         *     change, or any change to someone else, needs `members.update` and that the caller
         *     could grant the member's current role (`403 role_not_grantable`, e.g. an admin
         *     changing an owner). A new role follows the grant rule too, and must exist in the
         *     tenant (`400`, field `role`, code `unknown_role`). The last owner cannot stop being
         *     owner (`409 invalid_state`).
         *
         *     `workspaces` replaces the list, and the weekly summary drops workspaces the member no
         *     longer has. Once the tenant defines workspaces, each must be one of them (`400`, field
         *     `workspaces`, code `unknown_workspace`; an empty list leaves the member with none: the
         *     default workspaces are for new invitations); a tenant that defines none takes the
         *     names as given. A workspace deleted at the same moment is never given: the patch is
         *     decided again against the workspaces as they now are. In `profile` an empty string
         *     clears a field. `notifications` changes only
         *     the fields it names; the weekly summary's workspaces must be among the member's (after
         *     this patch: `400`, field `notifications.weekly_summary_workspaces`, code
         *     `unknown_workspace`). `metadata` replaces the host application's object (at most 4096
         *     bytes serialised, code `too_large`; not an object, code `invalid_type`); `null` clears
         *     it. A patch that changes nothing answers the member as is.
         *
         *     **Address** (`email`, see Email changes): asks for the member's address to change; it
         *     changes only once the new address confirms (`confirmEmailChange`). Not on oneself:
         *     `403 forbidden`, whatever the caller's role. A malformed address is `400` (field
         *     `email`, code `invalid_email`). The new address must not be a member's (`409 already_member`) nor have a
         *     pending invitation in the tenant (`409 already_invited`), and must be within the
         *     tenant's `allowed_domains` (`403 domain_not_allowed`). The member answered shows
         *     `pending_email` (`email` unchanged); the old address is told (the new one masked) and
         *     the new address gets the confirmation link, valid 7 days. A new address replaces a
         *     pending change (its earlier link then answers `404 not_found`); the member's current
         *     address calls a pending change off. The audit event `member.updated` then carries
         *     `email_change_requested_to`, the new address's domain.
         */
        patch: operations["updateMember"];
        trace?: never;
    };
    "/v1/me/invitations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's pending invitations, in every tenant
         * @description Pending invitations addressed to the caller's verified email (the JWT's `email` with
         *     `email_verified` true), in every tenant, newest first. A sign-in without a verified
         *     email is `403 forbidden`. Read from an index that may lag a moment behind writes.
         *     Accept one with the token from its email (the token is never listed).
         */
        get: operations["listMyInvitations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenants the caller belongs to
         * @description Every tenant the caller is a member of, with their role and workspaces there: what a
         *     tenant switcher shows after sign-in. Oldest tenant first, paged with `limit` and
         *     `cursor`. A person Usher does not know yet belongs to none (an empty page). Read from
         *     an index that may lag a moment behind a join.
         */
        get: operations["listMyTenants"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/tenants/{tenantId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Leave a tenant
         * @description The caller leaves the tenant: their membership is removed as `removeMember` removes it
         *     (its seat and address are freed; the audit log says `member.left`), with no
         *     confirmation to type, since the route names nobody but the caller. Any member may
         *     leave, whatever their role, except the last owner (`409 invalid_state`: make someone
         *     else owner first). Not a member, or no such tenant: `404 not_found`. No request body.
         */
        delete: operations["leaveTenant"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/tenants/{tenantId}/sign-in": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Record that the caller signed in to a tenant
         * @description Sets the caller's `last_login_at` in this tenant (the people list's "last login", the
         *     export's `last_login`) to now. Identity providers do not tell Usher when someone signs
         *     in: the host application calls this when its user opens the tenant (Usher's console
         *     does). Sign-ins less than 60 seconds apart are one: the second writes nothing and
         *     answers the first's time. Not an audit event. Any member may call it for themself;
         *     not a member, or no such tenant: `404 not_found`. No request body.
         */
        post: operations["recordSignIn"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/userinfo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Let the server ask the identity provider for the caller's email
         * @description For identity providers whose ID tokens carry only `sub` (OIDC library defaults): the page,
         *     right after its code exchange, sends the sign-in's **access token** here, with the ID
         *     token as the Bearer. The server calls the provider's userinfo endpoint (discovered, or
         *     `--oidc-userinfo-endpoint`) with it, requires the answer's `sub` to be the ID token's
         *     `sub`, and keeps the email, `email_verified` and name for that subject. From then on, a
         *     request whose ID token has no email is treated as that subject's kept email (only when
         *     verified: only a verified email opens invitations and binds a person to a tenant's
         *     owner). The server never stores an email the page reports; the access token is used
         *     once and not kept. Errors: `403 userinfo_subject_mismatch` (the answer is about someone
         *     else), `502 userinfo_failed` (the provider refused the access token, or could not be
         *     reached), `501 userinfo_not_configured` (no userinfo endpoint is known).
         */
        post: operations["keepUserinfo"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * What an invitation link is (public)
         * @description For the invitee's landing page: the tenant's name, the inviter's name, the role, the
         *     masked invited address, the status and the expiry of the invitation behind a token.
         *     Public, and consumes nothing. A link replaced by a newer one (resend, reminder) reads
         *     `status: expired` with `replaced: true`. An unknown token is `404 not_found`; a
         *     malformed one `400` (field `token`, code `invalid_token`). Throttled per source address
         *     and per token (see Public routes): over budget is `429 rate_limited` with `Retry-After`.
         */
        post: operations["lookupInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Accept an invitation
         * @description The invitee joins the tenant. The caller's verified JWT email must equal the invited
         *     address; otherwise `403 email_mismatch` and the invitation stays pending. The tenant's
         *     `allowed_domains` are checked again (they may have changed since the invitation was
         *     sent): an address outside them is `403 domain_not_allowed`, and the invitation stays
         *     pending. Accepting creates the user record if the person is new, adds the membership
         *     with the invited role, workspaces, profile, notification settings, `record_owner` and
         *     `metadata`, marks the invitation `accepted` and moves its seat from pending to member,
         *     all or nothing.
         *
         *     **Idempotent**: accepting the same invitation again (with its current link) as the same
         *     person returns `200` with the same membership; by anyone else it is
         *     `410 invitation_used`. An expired or replaced (resend, reminder) link is
         *     `410 invitation_expired`, a
         *     revoked invitation `410 invitation_revoked`, a declined one `410 invitation_declined`.
         *     If the invited role was deleted meanwhile, `409 invalid_state`.
         */
        post: operations["acceptInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations/decline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Decline an invitation
         * @description The invitee says no, optionally with a reason (at most 500 characters). The caller's
         *     verified JWT email must equal the invited address (`403 email_mismatch`). The
         *     invitation becomes `declined`, and its seat and address are freed. Declining again with
         *     the same link answers the same. A closed invitation answers `410` with its state's code
         *     (`invitation_expired` also for a replaced link).
         */
        post: operations["declineInvitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/invitations/renewal-request": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask the inviter for a new link (public)
         * @description For an invitation whose link expired (or was replaced), asks the inviter by email for a
         *     new one; the request is recorded on the invitation (`renewal_requested_at`, seen by
         *     admins) and in the audit log, and changes nothing else. Public. Rate-limited per
         *     invitation: another request within the cooldown (one hour by default) is
         *     `429 rate_limited` with `Retry-After`; also throttled per source address and per token
         *     (see Public routes). A link that still works is `409 invalid_state`;
         *     a revoked, accepted or declined invitation is `410`. `inviter_notified` is false when
         *     the inviter has left the tenant or turned off renewal-request emails (the email is queued; a failed send is retried).
         */
        post: operations["requestInvitationRenewal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/email-changes/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm a new address (the member themself)
         * @description Completes an address change an admin asked for (`updateMember` with `email`, see Email
         *     changes). The token comes from the link sent to the new address,
         *     `{ACCEPT_URL}#email_token=...`: the page reads it from the fragment and POSTs it here
         *     with the member's own JWT. Only the member whose address changes may confirm it,
         *     whatever anyone else's role (an admin too): anyone else is `403 forbidden`. The
         *     address then changes everywhere in that tenant (the member, listings, exports, the
         *     one-address-per-tenant rule: the old address is free again), `pending_email` is gone,
         *     and the link is used up. The audit log says `member.email_changed` (with the old and
         *     new domains).
         *
         *     An unknown token, one replaced by a newer request, one already used, or one whose
         *     change was called off is `404 not_found`; a malformed one `400` (field `token`, code
         *     `invalid_token`). A link past its 7 days is `410 link_expired` (ask the admin to
         *     request the change again); once Usher has forgotten an expired link, it answers
         *     `404`. The new address is checked again, in the database: if it became a member's or
         *     got a pending invitation in the tenant since the request, `409 already_member` /
         *     `already_invited`, and nothing changes. Throttled per source address and per token
         *     like the public token routes (see Authentication): over budget is `429 rate_limited`
         *     with `Retry-After`.
         */
        post: operations["confirmEmailChange"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a tenant (operators)
         * @description Creates a tenant whose first owner is `owner_email` (a user record is created for them
         *     if Usher does not know them yet; they find themself owner when they sign in with that
         *     address). Operators only: on AWS the call is IAM-authorised, locally it carries an
         *     operator token; a person's JWT is `403 forbidden`.
         */
        post: operations["createTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * Read a tenant (operators)
         * @description The SaaS's backend reads any tenant: IAM-authorised in the AWS stack, an operator token
         *     locally. A person's JWT is `403 forbidden`; members read their tenant at
         *     `GET /v1/tenants/{tenantId}/settings`.
         */
        get: operations["getTenant"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change a tenant (operators)
         * @description The SaaS's backend changes a tenant's name, default invitation lifetime, allowed email
         *     domains and seat limit (its plan): IAM-authorised in the AWS stack, an operator token
         *     locally. A person's JWT is `403 forbidden`; owners use
         *     `PATCH /v1/tenants/{tenantId}/settings`. `unlimited_seats: true` removes the limit (it
         *     wins over `seat_limit`); a limit below the current usage is allowed and only stops new
         *     invitations. `allowed_domains` replaces the tenant's list (see `TenantPatch`). A patch
         *     that changes nothing answers the tenant as is.
         */
        patch: operations["updateTenant"];
        trace?: never;
    };
    "/v1/tenants/{tenantId}/settings": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * Read your tenant
         * @description Any member (any role) reads the tenant: name, seats, default invitation lifetime,
         *     allowed email domains, members per role. Not a member: `404` (no existence leak).
         */
        get: operations["getTenantSettings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Rename your tenant, set its default invitation lifetime and allowed domains (owners)
         * @description A tenant's owner may change `name`, `invitation_ttl_days` and `allowed_domains`, not
         *     the seat limit (it is the plan, sold by the SaaS; its backend changes it at
         *     `PATCH /v1/tenants/{tenantId}`): `seat_limit` or `unlimited_seats` here is
         *     `403 forbidden`, as is any change by a member who is not an owner. A patch that
         *     changes nothing answers the tenant as is.
         *
         *     `allowed_domains` is the tenant's email-domain policy: a list of at most 50 domains
         *     that replaces the current one (`[]` allows any domain; a leading `@` is tolerated;
         *     entries are trimmed, lower-cased, IDNA-encoded, deduplicated and sorted). An invalid
         *     entry is `400` (field `allowed_domains[i]`, code `invalid_domain`). Once set, an
         *     invitation (single or bulk row) to an address whose domain is not exactly one of them
         *     (a subdomain is another domain) is `403 domain_not_allowed` (the row's code in bulk),
         *     and accepting an invitation sent before the change is refused the same way (the
         *     invitation stays pending).
         */
        patch: operations["updateTenantSettings"];
        trace?: never;
    };
    "/v1/tenants/{tenantId}/roles": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * List the tenant's roles
         * @description Every role of the tenant: the four built-ins (`owner`, `admin`, `member`, `viewer`),
         *     then the custom roles by name, each with the number of members holding it. Any member
         *     may list. Not paged.
         */
        get: operations["listRoles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/roles/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The role's name (percent-decoded). */
                name: components["parameters"]["RoleNameParam"];
            };
            cookie?: never;
        };
        /**
         * Read a role
         * @description A built-in or custom role (any member may read). A malformed name is `404`.
         */
        get: operations["getRole"];
        /**
         * Create or replace a custom role
         * @description Creates the custom role `name` (`201`) or replaces its permissions and description
         *     (`200`). Needs `roles.manage`, and nobody defines a role carrying a permission they lack
         *     (`403 role_not_grantable`). Built-in names cannot be used (`409 invalid_state`); a
         *     malformed name is `400` (field `name`, code `invalid_role`); an unknown permission is
         *     `400` (field `permissions[i]`, code `unknown_permission`). Members holding the role
         *     get the new permissions at once.
         */
        put: operations["putRole"];
        post?: never;
        /**
         * Delete a custom role
         * @description Deletes a custom role nobody holds (needs `roles.manage`). A role still held by members
         *     is `409 invalid_state` (give them another role first), as is a built-in role. An unknown
         *     or malformed name is `404`. No request body.
         */
        delete: operations["deleteRole"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/workspaces": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * List the tenant's workspaces
         * @description Every workspace the tenant defines (at most 200), sorted by id. Any member may list
         *     (viewers included). Empty while the tenant defines none: then the `workspaces` of
         *     invitations and members are taken as given. Not paged.
         */
        get: operations["listWorkspaces"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/workspaces/{workspaceId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /**
                 * @description The workspace's id (percent-decoded): 1 to 64 letters, digits, `-`, `_` or `.`. A
                 *     malformed id is `400` on `PUT` (field `workspaceId`, code `invalid_workspace`) and
                 *     `404` on `DELETE`.
                 */
                workspaceId: components["parameters"]["WorkspaceIdParam"];
            };
            cookie?: never;
        };
        get?: never;
        /**
         * Create or change a workspace
         * @description Creates the workspace `workspaceId` (`201`) or changes its name or `default` (`200`).
         *     Needs `roles.manage` (owners and admins by default). A malformed id is `400` (field
         *     `workspaceId`, code `invalid_workspace`); a bad `name` is `400` (field `name`). The
         *     body may be empty (or left out): a new workspace is then named after its id and is
         *     not a default; an existing one stays as it is. A tenant has at most 200 workspaces:
         *     creating one more is `409 invalid_state`.
         *
         *     Once a tenant defines any workspace, the `workspaces` of invitations and members must
         *     be among its workspaces, and an invitation that names none gets the ones marked
         *     `default` (see `createInvitation`). Those writes are checked against the workspaces
         *     as they stand: one that races the creation of a workspace or a change of `default` is
         *     decided again.
         */
        put: operations["putWorkspace"];
        post?: never;
        /**
         * Delete an unused workspace
         * @description Deletes a workspace that no member and no pending invitation has (needs
         *     `roles.manage`). One still in use is `409 invalid_state`, its detail saying how many
         *     members and pending invitations have it (change their `workspaces` first, or revoke
         *     the invitations). An unknown or malformed id is `404`. A workspace deleted
         *     concurrently is never given to anyone: an invitation or member write that names it
         *     while it is being deleted is refused or decided again against the new set. Deleting
         *     the tenant's last workspace makes it a tenant that defines none again. No request
         *     body.
         */
        delete: operations["deleteWorkspace"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/audit": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * The tenant's audit log
         * @description The tenant's audit events, newest first (needs `audit.read`; owners and admins have it).
         */
        get: operations["listAuditEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/directory/people": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * The people of the tenant's directory
         * @description The people the company knows (from its identity provider over SCIM, or an uploaded
         *     employee list), members or not, in the order they were added, each with where they
         *     stand: `member` (their membership), `invitation` (a pending one, or `blocked` with the
         *     reason provisioning could not send it, such as `seat_limit_reached`). Needs
         *     `invitations.create` (it is the list admins invite from). Filters: `q` (a prefix of the
         *     first name, last name, full name or email), `company`, `title`, `department` (each
         *     exact, ignoring case) and `status`: `not_invited` (active, no membership, no pending
         *     invitation), `invited`, `member`, `inactive`. The status filter is applied to each page
         *     after reading where its people stand, so a page may hold fewer than `limit` people
         *     while `next_cursor` says there are more.
         */
        get: operations["listDirectoryPeople"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/directory/companies": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * The companies of the tenant's directory
         * @description Every company named in the directory with its people counts, sorted by name (the
         *     empty name counts the people with no company on file). Needs `invitations.create`. Not
         *     paged.
         */
        get: operations["listDirectoryCompanies"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/directory": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        get?: never;
        /**
         * Replace the uploaded directory with the company's employee list
         * @description Needs `directory.manage` (checked before the file is read). The body is the employee
         *     list as CSV or XLSX (its first sheet): a header row with any of `external_id`, `email`,
         *     `first_name`, `last_name`, `title`, `department`, `company`, `employee_number`,
         *     `phone`, `active` (`true`/`false`, `yes`/`no`, `1`/`0`; empty is `true`), and up to
         *     50,000 rows. A person is known by their `external_id`, else their `employee_number`,
         *     else their `email`; the header needs at least one of those columns (`400`, code
         *     `missing_column`). It replaces the upload-sourced people: a person in the file is added
         *     or updated, an uploaded person the file leaves out is deactivated (kept, shown as
         *     `inactive`). Deactivating takes nobody's access away: removing access is SCIM's
         *     (`active: false`) or the members page's. SCIM-sourced people are never touched. A row
         *     that cannot be read is listed in `errors` (`missing_identity`, `invalid_email`,
         *     `invalid_active`, `invalid_value`, `duplicate_person`) and the other rows are taken.
         *     One upload runs at a time per tenant (`409 invalid_state` while another runs). The body
         *     may be 6,000,000 bytes (what AWS Lambda may be sent); more than 50,000 rows is `413`.
         */
        put: operations["uploadDirectory"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/directory/settings": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * The directory's provisioning settings
         * @description What the identity provider's changes do (needs `directory.manage`).
         */
        get: operations["getDirectorySettings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change the directory's provisioning settings
         * @description Needs `directory.manage`. `provisioning`: `stage` (people appear in the directory;
         *     admins invite them) or `invite` (an active person with an email is invited at once,
         *     with the highest role their groups map to, else `default_role`). `group_roles`
         *     replaces the whole map (group name → role). Every role must exist (`400`, code
         *     `unknown_role`) and be one the caller could grant; `owner` is never mapped (`403
         *     role_not_grantable`). Fields left out stay as they are.
         */
        patch: operations["updateDirectorySettings"];
        trace?: never;
    };
    "/v1/tenants/{tenantId}/scim-tokens": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * The tenant's SCIM tokens
         * @description Every SCIM token of the tenant, oldest first, never the token itself (needs `directory.manage`).
         */
        get: operations["listScimTokens"];
        put?: never;
        /**
         * Create a SCIM token (shown once)
         * @description A bearer token for the tenant's identity provider at `/scim/v2` (needs
         *     `directory.manage`). The answer is the only one that carries `token`: it is stored as a
         *     hash and cannot be shown again. A tenant holds at most 10 (`409 invalid_state`); revoke
         *     one to rotate.
         */
        post: operations["createScimToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/scim-tokens/{tokenId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                tokenId: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke a SCIM token
         * @description The token stops working at once, for the very next request (needs `directory.manage`). No request body.
         */
        delete: operations["revokeScimToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/join-links": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * The tenant's join links
         * @description Every join link of the tenant, newest first, with its uses, what remains, its expiry and whether it is disabled; never its token (needs `invitations.create`).
         */
        get: operations["listJoinLinks"];
        put?: never;
        /**
         * Create a join link (shown once)
         * @description A link anyone with it may use to join the tenant with `role`, at most `max_uses` times
         *     (1–1000), until `expires_in_days` (1–90, default 14) have passed; optionally only for
         *     addresses at `allowed_domains`, and optionally through an admin's approval (`approval`:
         *     redeeming files a join request). Needs `invitations.create` and a role the caller may
         *     grant (`403 role_not_grantable`). The answer is the only one that carries the link's
         *     token, inside `url` (`{ACCEPT_URL}#join=<token>`): it is stored as a hash and cannot be
         *     shown again.
         */
        post: operations["createJoinLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/join-links/{linkId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                linkId: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Disable a join link
         * @description The link stops working at once: the next redeem is `410 link_disabled` (a redeem in
         *     flight loses). Its uses so far stay. Disabling it again is `409 invalid_state`. Needs
         *     `invitations.create`. No request body.
         */
        delete: operations["disableJoinLink"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/join-links/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * What a join link is (public)
         * @description For the landing page of a `#join=` link: the tenant, the role, the uses left, the
         *     expiry, whether joining needs approval, and the link's `status` (`active`, `expired`,
         *     `disabled`, `used_up`). Public, and consumes nothing. An unknown token is
         *     `404 not_found`; a malformed one `400` (field `token`, code `invalid_token`).
         *     Throttled per source address (shared with the other public token routes) and per link:
         *     over budget is `429 rate_limited` with `Retry-After`.
         */
        post: operations["lookupJoinLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/join-links/redeem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Join a tenant through a link
         * @description The signed-in caller joins with their verified email (`403 forbidden` without one),
         *     which must be at one of the link's `allowed_domains` when it has any, and allowed by
         *     the tenant's own policy (`403 domain_not_allowed`). A use and a seat are taken in one
         *     conditional write: N people redeeming at once a link with M uses left in a tenant with
         *     S free seats make exactly min(N, M, S) members; the others get
         *     `409 seat_limit_reached` or `410 link_used_up`. A member redeeming again is
         *     `409 already_member` and uses nothing; an address with a pending invitation is
         *     `409 already_invited` (accept it instead). A disabled link is `410 link_disabled`, a
         *     used-up one `410 link_used_up`, an expired one `410 link_expired`.
         *
         *     With `approval`, redeeming takes a use and files a join request instead (`202`,
         *     `outcome: requested`); redeeming again while it is pending answers the same request.
         *     The new member's `member.added` event says `"via": "join_link"`. Throttled like the
         *     lookup.
         */
        post: operations["redeemJoinLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/join-requests": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * The tenant's join requests
         * @description Join requests filed through links that need approval, newest first, filtered by `status` (needs `invitations.create`).
         */
        get: operations["listJoinRequests"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/join-requests/{requestId}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The join request's id. A malformed id is `404`. */
                requestId: components["parameters"]["JoinRequestId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Approve a join request
         * @description The person becomes a member with the request's role; the membership, the request and a
         *     seat are written in one transaction (`409 seat_limit_reached` when the tenant is full:
         *     the request stays pending). Needs `invitations.create` and a role the caller may grant.
         *     A decided request is `409 invalid_state`. No request body.
         */
        post: operations["approveJoinRequest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/join-requests/{requestId}/deny": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The join request's id. A malformed id is `404`. */
                requestId: components["parameters"]["JoinRequestId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Deny a join request
         * @description The request is closed (the use it took stays taken); the person may ask again through a link. Needs `invitations.create`. A decided request is `409 invalid_state`. No request body.
         */
        post: operations["denyJoinRequest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/join-requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's join requests
         * @description The join requests the caller filed, in every tenant, newest first (at most 100), with each tenant's name.
         */
        get: operations["listMyJoinRequests"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/domains": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        /**
         * The tenant's domains
         * @description Every domain the tenant added, by name, with its status, its TXT record and its join policy (needs `directory.manage`).
         */
        get: operations["listDomains"];
        put?: never;
        /**
         * Add an email domain to verify
         * @description Adds `domain` (IDNA, lower-cased; a leading `@` is dropped) as `pending` and answers the
         *     DNS TXT record that proves the tenant owns it: create `verification.name`
         *     (`_usher-verification.<domain>`) with `verification.value`, then call `verify`.
         *     Consumer mail domains (gmail.com, outlook.com, gmx.de, mail.ru and the like, and their
         *     subdomains) are `400 consumer_domain`; a domain another tenant has verified is
         *     `409 domain_taken` (a pending one claims nothing: the first tenant to prove it holds it).
         *     At most 50 per tenant. Needs `directory.manage`.
         */
        post: operations["addDomain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenantId}/domains/{domain}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description One of the tenant's domains (any case; IDNA). An unknown or malformed one is `404`. */
                domain: components["parameters"]["DomainName"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a domain
         * @description Removes the domain (and the tenant's claim on it): joining through it stops at once. Members who joined through it stay. Needs `directory.manage`.
         */
        delete: operations["removeDomain"];
        options?: never;
        head?: never;
        /**
         * Set who may join through a verified domain
         * @description `join`: `off` (nobody), `request` (people with a verified address at the domain ask; an
         *     admin approves their join request) or `auto` (they join at once while a seat is free),
         *     with `join_role` (required unless `off`). The role may carry no `invitations.*`,
         *     `members.update`, `members.remove` or `roles.manage` permission and is never `owner`
         *     (`400 invalid_request`, field `join_role`, code `role_too_powerful`), and must be one
         *     the caller may grant (`403 role_not_grantable`). A pending domain is
         *     `409 invalid_state`: verify it first. Needs `directory.manage`.
         */
        patch: operations["updateDomain"];
        trace?: never;
    };
    "/v1/tenants/{tenantId}/domains/{domain}/verify": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description One of the tenant's domains (any case; IDNA). An unknown or malformed one is `404`. */
                domain: components["parameters"]["DomainName"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Look the domain's TXT record up now
         * @description Looks `_usher-verification.<domain>` up (no cache). The exact `verification.value`
         *     among its TXT records makes the domain `verified` (`domain.verified` event); otherwise
         *     the domain answers as it stands with `check_reason` (no record, a record with another
         *     value, or a DNS failure, which concludes nothing). A verified domain whose record is
         *     missing stays verified for 7 days (`missing_since`, `lapses_at`), then `lapsed`. The
         *     schedule looks again daily at verified and lapsed domains. `409 domain_taken` when
         *     another tenant's proof of the domain stands. Needs `directory.manage`.
         */
        post: operations["verifyDomain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/joinable-tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenants the caller may join by their email's domain
         * @description The tenant (at most one: a domain is verified for one tenant) whose verified domain is
         *     the caller's verified email's domain, with a policy other than `off`, unless the caller
         *     is a member already. Empty without a verified email. With `join_request` when the
         *     caller asked already and waits.
         */
        get: operations["listJoinableTenants"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me/tenants/{tenantId}/join": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Join a tenant through a verified domain
         * @description The caller joins with their verified email (`403 forbidden` without one) when the
         *     tenant verified its domain: `auto` makes them a member at once (`200`, a seat taken in
         *     the same conditional write as the membership; `409 seat_limit_reached` when full),
         *     `request` files a join request (`202`; asking again answers the same request). A
         *     domain that is not the tenant's, lapsed, removed or `off` is `403 domain_not_allowed`.
         *     The new member's `member.added` event says `"via": "domain"`.
         */
        post: operations["joinTenantByDomain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    usherEvent: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * An event, POSTed to the host application
         * @description Sent by Usher to the stack's `WebhookUrl` (an HTTPS endpoint of the host application),
         *     once per audit event, signed per [Standard Webhooks](https://www.standardwebhooks.com/).
         *     The body is a CloudEvents 1.0 event in structured JSON mode
         *     (`Content-Type: application/json`).
         *
         *     **Verifying.** The signing secret is `whsec_` + base64 of its bytes (the operator keeps
         *     it in SSM Parameter Store and gives it to the host application). Compute
         *     `base64(HMAC-SHA256(secret bytes, "<webhook-id>.<webhook-timestamp>.<body>"))` over the
         *     raw body as received, and accept the request if any `v1,<signature>` in
         *     `webhook-signature` matches it (compare in constant time). Refuse a `webhook-timestamp`
         *     more than a few minutes from your clock (replays).
         *
         *     **Delivery.** At least once, not in order: dedupe by `webhook-id` (the event's `id`, the
         *     same on every retry) and order a tenant's events by `sequence`. Answer 2xx within 10
         *     seconds to take an event. Anything else (another status, a refused connection, no
         *     answer in 10 s) is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h: eight
         *     attempts over about 27.6 hours. After the eighth failure the event is parked in the
         *     stack's dead-letter queue (an alarm goes off) and can be sent again from there by the
         *     operator.
         */
        post: operations["usherEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /**
         * @description A tenant's id (`ten_` and up to 64 letters or digits).
         * @example ten_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b
         */
        TenantId: string;
        /**
         * @description An invitation's id (`inv_` and up to 64 letters or digits).
         * @example inv_0190b4a1c2d37e8f9a0b1c2d3e4f5a6c
         */
        InvitationId: string;
        /**
         * @description A person's id (`usr_` and up to 64 letters or digits).
         * @example usr_0190b4a1c2d37e8f9a0b1c2d3e4f5a6d
         */
        UserId: string;
        /**
         * @description An export's id (32 lowercase hex digits).
         * @example 0190b4a1c2d37e8f9a0b1c2d3e4f5a6e
         */
        ExportId: string;
        /**
         * Format: date-time
         * @description RFC 3339, UTC, to the second.
         * @example 2026-11-23T19:00:00Z
         */
        Timestamp: string;
        /**
         * Format: email
         * @description An address in its canonical form: trimmed, lower-cased, the domain IDNA-encoded
         *     (`Ada@Bücher.de` is `ada@xn--bcher-kva.de`). Two addresses are the same person exactly
         *     when their canonical forms are equal.
         * @example ada@example.com
         */
        Email: string;
        /**
         * @description A built-in role (`owner`, `admin`, `member`, `viewer`) or a tenant's custom role.
         * @example admin
         * @example site-lead
         */
        RoleName: string;
        /**
         * @description A workspace, a sub-area of a tenant (a site, a project) a person is given access to:
         *     1 to 64 letters, digits, `-`, `_` or `.`. Once the tenant defines workspaces
         *     (`putWorkspace`), one of its workspace ids; before that, any such name.
         * @example north
         */
        WorkspaceId: string;
        /**
         * @description Something a member may do in a tenant. `audit.read` is Usher's extension.
         * @enum {string}
         */
        Permission: "invitations.create" | "invitations.read" | "invitations.resend" | "invitations.revoke" | "members.read" | "members.update" | "members.remove" | "members.export" | "roles.manage" | "audit.read" | "directory.manage";
        /**
         * @description Language of the invitation emails.
         * @enum {string}
         */
        Locale: "en" | "fr" | "de";
        /**
         * @description `en`, `fr` or `de`, case-insensitive; a region (`fr-CA`, `de_AT`) is accepted and
         *     dropped. Default `en`.
         * @example en
         * @example fr-CA
         */
        LocaleInput: string;
        /**
         * @description Only `pending` moves: to `accepted`, `declined`, `revoked` or `expired`; `expired` goes
         *     back to `pending` by a resend. An overdue pending invitation is always shown and treated
         *     as `expired`.
         * @enum {string}
         */
        InvitationStatus: "pending" | "accepted" | "declined" | "revoked" | "expired";
        /**
         * @description `pending`: saved, not yet handed to the mail service; `sent`: the mail service accepted
         *     it; `failed`: refused or unreachable (the schedule retries while attempts remain);
         *     `bounced`: the mail service accepted it, then reported a permanent bounce (the address
         *     does not exist or refuses mail); `complained`: the mail service accepted it, then the
         *     recipient reported it as spam. `bounced` and `complained` are never retried: once the
         *     address is corrected, resend (an invitation's address cannot change: revoke it and
         *     invite the right address; resend when the same address works again).
         * @enum {string}
         */
        DeliveryStatus: "pending" | "sent" | "failed" | "bounced" | "complained";
        /** @description Profile fields, copied from the invitation to the member on accept. Unset fields are absent. */
        Profile: {
            first_name?: string;
            last_name?: string;
            /** @description As typed; only digits, spaces and `+ - ( ) .`. */
            phone?: string;
            /** @description The tenant's own reference for the person. */
            employee_number?: string;
            /** @description Company name (useful for contractors). */
            company?: string;
        };
        /**
         * @description Profile fields, each trimmed, at most 100 characters, no control characters; `phone`
         *     only digits, spaces and `+ - ( ) .`. A blank field counts as absent. In a member or
         *     invitation patch, an empty string clears the field and an absent one stays as it is.
         *     Unknown keys are `400 invalid_request`.
         */
        ProfileInput: {
            first_name?: string;
            last_name?: string;
            phone?: string;
            employee_number?: string;
            company?: string;
        };
        /** @description Which emails a member (or, once they accept, an invitee) gets. All four are always present. */
        Notifications: {
            /**
             * @description A weekly summary email.
             * @default false
             */
            weekly_summary: boolean;
            /**
             * @description The workspaces the weekly summary covers, among the person's own workspaces (sorted).
             * @default []
             */
            weekly_summary_workspaces: components["schemas"]["WorkspaceId"][];
            /**
             * @description Email me when a new message arrives for me.
             * @default true
             */
            new_messages: boolean;
            /**
             * @description Email me when someone I invited asks for a new link.
             * @default true
             */
            renewal_requests: boolean;
        };
        /**
         * @description Notification settings to set. On an invitation, fields left out take the defaults; in a
         *     patch, they keep their values. `weekly_summary_workspaces` replaces the list
         *     (duplicates removed, sorted) and must be among the person's workspaces (`400`, field
         *     `notifications.weekly_summary_workspaces`, code `unknown_workspace`). Unknown keys are
         *     `400 invalid_request`.
         */
        NotificationsPatch: {
            weekly_summary?: boolean;
            weekly_summary_workspaces?: components["schemas"]["WorkspaceId"][];
            new_messages?: boolean;
            renewal_requests?: boolean;
        };
        /**
         * @description The host application's own JSON object about the person (an external id, a record
         *     set), at most 4096 bytes serialised as compact JSON (UTF-8). Stored and returned as the
         *     same JSON value (key order may differ), carried from the invitation to the membership,
         *     never interpreted by Usher. `{}` when there is none.
         * @example {
         *       "crm_contact_id": "0031x00000AbCdE"
         *     }
         */
        Metadata: Record<string, unknown>;
        /** @description Email delivery of the current link, so a failed email is visible, never silently lost. */
        Delivery: {
            status: components["schemas"]["DeliveryStatus"];
            /** @description Attempts so far for the current link. */
            attempts: number;
            /** @description The last failure, shortened. */
            last_error?: string;
            /** @description When the schedule will try again (only while not sent and attempts remain). */
            next_attempt_at?: components["schemas"]["Timestamp"];
        };
        /** @description Who sent the invitation (all `null` for one created by an operator). */
        InvitedBy: {
            user_id: components["schemas"]["UserId"] | null;
            email: components["schemas"]["Email"] | null;
            /** @description Their display name, as shown to the invitee. */
            name: string | null;
        };
        /** @description Seat usage. Members plus pending invitations count. */
        Seats: {
            /** @description The plan's limit (`null`, unlimited). */
            limit: number | null;
            members: number;
            /** @description Pending invitations (including overdue ones the schedule has not marked yet). */
            pending: number;
            /** @description Free seats (`null`, unlimited). */
            available: number | null;
        };
        /**
         * @description Members per role name (roles nobody holds are absent).
         * @example {
         *       "owner": 1,
         *       "admin": 2,
         *       "member": 14
         *     }
         */
        RoleCounts: {
            [key: string]: number;
        };
        /**
         * @description An invitation, as a tenant's admins see it. The token is never returned.
         *
         *     **Reminder**: once, about 48 hours before a pending invitation expires (only when its
         *     lifetime, `expires_in_days` or the tenant's `invitation_ttl_days`, is longer than 3
         *     days), the schedule emails the invitee a reminder with a fresh link. The token rotates
         *     as on a resend (the previous link then reads as replaced: `status: expired` with
         *     `replaced: true` on lookup, `410 invitation_expired` on accept), `expires_at` and
         *     `resend_count` stay, `reminded_at` is set, and `delivery` and `last_sent_at` follow
         *     the reminder's email. A resend starts over: the new link gets its own reminder
         *     (`reminded_at` is cleared).
         * @example {
         *       "id": "inv_0190b4a1c2d37e8f9a0b1c2d3e4f5a6c",
         *       "tenant_id": "ten_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b",
         *       "email": "ada@example.com",
         *       "role": "admin",
         *       "workspaces": [
         *         "north"
         *       ],
         *       "status": "pending",
         *       "expires_at": "2026-01-09T10:00:00Z",
         *       "created_at": "2026-01-02T10:00:00Z",
         *       "updated_at": "2026-01-02T10:00:01Z",
         *       "invited_by": {
         *         "user_id": "usr_0190b4a1c2d37e8f9a0b1c2d3e4f5a6d",
         *         "email": "charles@example.com",
         *         "name": "Charles Babbage"
         *       },
         *       "resend_count": 0,
         *       "last_sent_at": "2026-01-02T10:00:01Z",
         *       "delivery": {
         *         "status": "sent",
         *         "attempts": 1
         *       },
         *       "profile": {
         *         "first_name": "Ada",
         *         "last_name": "Lovelace"
         *       },
         *       "locale": "en",
         *       "notifications": {
         *         "weekly_summary": true,
         *         "weekly_summary_workspaces": [
         *           "north"
         *         ],
         *         "new_messages": true,
         *         "renewal_requests": true
         *       },
         *       "record_owner": true,
         *       "metadata": {
         *         "crm_contact_id": "0031x00000AbCdE"
         *       }
         *     }
         */
        Invitation: {
            id: components["schemas"]["InvitationId"];
            tenant_id: components["schemas"]["TenantId"];
            email: components["schemas"]["Email"];
            role: components["schemas"]["RoleName"];
            workspaces: components["schemas"]["WorkspaceId"][];
            status: components["schemas"]["InvitationStatus"];
            /** @description When the current link stops working. */
            expires_at: components["schemas"]["Timestamp"];
            created_at: components["schemas"]["Timestamp"];
            updated_at: components["schemas"]["Timestamp"];
            invited_by: components["schemas"]["InvitedBy"];
            resend_count: number;
            /** @description When the current link was last handed to the mail service (`null` until then). */
            last_sent_at: components["schemas"]["Timestamp"] | null;
            delivery: components["schemas"]["Delivery"];
            profile: components["schemas"]["Profile"];
            locale: components["schemas"]["Locale"];
            /** @description The emails the person will get once a member. */
            notifications: components["schemas"]["Notifications"];
            /** @description Whether the host application may assign records to the person (carried to the membership). */
            record_owner: boolean;
            metadata: components["schemas"]["Metadata"];
            /** @description The inviter's note (absent when none). */
            message?: string;
            /** @description Who accepted (only once accepted). */
            accepted_by?: components["schemas"]["UserId"];
            /** @description When it stopped being pending (for an expired one, its expiry). */
            closed_at?: components["schemas"]["Timestamp"];
            /** @description The invitee's reason for declining, if they gave one. */
            decline_reason?: string;
            /** @description Last time the invitee asked for a new link. */
            renewal_requested_at?: components["schemas"]["Timestamp"];
            /** @description When the invitee was reminded about the current link (with a fresh link, about 48 hours before `expires_at`); absent until then, and cleared by a resend. */
            reminded_at?: components["schemas"]["Timestamp"];
        };
        InvitationPage: {
            data: components["schemas"]["Invitation"][];
            next_cursor: components["schemas"]["NextCursor"];
        };
        /** @description Pass as `cursor` to get the next page; `null` on the last page. */
        NextCursor: string | null;
        /** @description A membership, as the tenant sees it. */
        Member: {
            user_id: components["schemas"]["UserId"];
            tenant_id: components["schemas"]["TenantId"];
            email: components["schemas"]["Email"];
            /** @description Profile first and last name, else the username. */
            name: string | null;
            /** @description Username at the identity provider. */
            username: string | null;
            role: components["schemas"]["RoleName"];
            workspaces: components["schemas"]["WorkspaceId"][];
            profile: components["schemas"]["Profile"];
            notifications: components["schemas"]["Notifications"];
            /** @description Whether the host application may assign records to them. */
            record_owner: boolean;
            metadata: components["schemas"]["Metadata"];
            /** @description The language of the emails Usher sends them (from their invitation; `en` for a tenant's first owner). */
            locale: components["schemas"]["Locale"];
            pending_email?: components["schemas"]["PendingEmail"];
            /** @description Last sign-in seen by Usher. */
            last_login_at: components["schemas"]["Timestamp"] | null;
            /** @description Joined. */
            created_at: components["schemas"]["Timestamp"];
            updated_at: components["schemas"]["Timestamp"];
        };
        /**
         * @description An address change waiting for the new address to confirm it (see Email changes):
         *     present only while one is pending; `email` stays the current address until then. A
         *     change past `expires_at` stays shown (its link answers `410 link_expired`) until
         *     another `updateMember` replaces it or calls it off.
         * @example {
         *       "email": "ada.lovelace@example.org",
         *       "expires_at": "2026-01-19T10:00:00Z"
         *     }
         */
        PendingEmail: {
            /** @description The new address, not yet confirmed. */
            email: components["schemas"]["Email"];
            /** @description When the confirmation link stops working (7 days after the request). */
            expires_at: components["schemas"]["Timestamp"];
        };
        MembersPage: {
            data: components["schemas"]["Member"][];
            next_cursor: components["schemas"]["NextCursor"];
            seats: components["schemas"]["Seats"];
            roles: components["schemas"]["RoleCounts"];
        };
        Tenant: {
            id: components["schemas"]["TenantId"];
            /** @description Display name (shown in invitation emails). */
            name: string;
            /** @description Most members plus pending invitations allowed (`null`, unlimited). */
            seat_limit: number | null;
            /** @description Days an invitation stays valid unless the inviter says otherwise. */
            invitation_ttl_days: number;
            /**
             * @description The email domains invitations may go to (lower case, IDNA-encoded, sorted); an
             *     address's domain must be exactly one of them (a subdomain is another domain).
             *     Empty: any domain.
             * @example [
             *       "acme.example",
             *       "acme-labs.example"
             *     ]
             */
            allowed_domains: string[];
            seats: components["schemas"]["Seats"];
            roles: components["schemas"]["RoleCounts"];
            created_at: components["schemas"]["Timestamp"];
            updated_at: components["schemas"]["Timestamp"];
        };
        /** @description A pending invitation addressed to the caller. */
        MyInvitation: {
            id: components["schemas"]["InvitationId"];
            tenant_id: components["schemas"]["TenantId"];
            tenant_name: string;
            role: components["schemas"]["RoleName"];
            workspaces: components["schemas"]["WorkspaceId"][];
            inviter_name: string | null;
            /** @description Sent. */
            created_at: components["schemas"]["Timestamp"];
            /** @description The link is valid until then. */
            expires_at: components["schemas"]["Timestamp"];
        };
        MyInvitationPage: {
            data: components["schemas"]["MyInvitation"][];
            next_cursor: components["schemas"]["NextCursor"];
        };
        /** @description A large export, as `exportMembers` (`202`) and `getExport` show it. */
        ExportStatus: {
            id: components["schemas"]["ExportId"];
            /**
             * @description `queued` (waiting, or waiting to be tried again), `running` (the file is being written), `ready` (`url` downloads it) or `failed` (after its last attempt; see `error`).
             * @enum {string}
             */
            status: "queued" | "running" | "ready" | "failed";
            /** @enum {string} */
            format: "csv" | "xlsx";
            /** @description Rows in the file (the header row not counted); once `ready`. */
            rows?: number;
            /** @description The file's size; once `ready`. */
            bytes?: number;
            /**
             * Format: uri
             * @description Only when `ready`: a presigned link that downloads the file (`GET`, no
             *     `Authorization` header; it suggests the name `members-{tenantId}-{YYYY-MM-DD}.csv`
             *     or `.xlsx`), valid until `url_expires_at` (15 minutes). Each read gives a fresh link.
             */
            url?: string;
            /** @description Until when `url` works; with `url` only. */
            url_expires_at?: components["schemas"]["Timestamp"];
            /** @description Only when `failed`: why, for humans. */
            error?: string;
            created_at: components["schemas"]["Timestamp"];
            /** @description When the file and this status are deleted (a day after `created_at`). */
            expires_at: components["schemas"]["Timestamp"];
        };
        /** @description A tenant the caller belongs to. */
        MyTenant: {
            tenant_id: components["schemas"]["TenantId"];
            tenant_name: string;
            role: components["schemas"]["RoleName"];
            workspaces: components["schemas"]["WorkspaceId"][];
            joined_at: components["schemas"]["Timestamp"];
        };
        MyTenantPage: {
            data: components["schemas"]["MyTenant"][];
            next_cursor: components["schemas"]["NextCursor"];
        };
        /** @description What the invitee's landing page shows. */
        LookupResult: {
            tenant_name: string;
            inviter_name: string | null;
            role: components["schemas"]["RoleName"];
            /**
             * @description The invited address, masked (first character, `***`, the domain).
             * @example a***@example.com
             */
            email: string;
            /** @description `pending` means the link can be accepted. A link replaced by a newer one reads `expired`. */
            status: components["schemas"]["InvitationStatus"];
            expires_at: components["schemas"]["Timestamp"];
            /** @description True when a newer link was sent and this one no longer works. */
            replaced: boolean;
        };
        /** @description The membership the invitee now has. */
        Accepted: {
            tenant_id: components["schemas"]["TenantId"];
            tenant_name: string;
            member: components["schemas"]["Member"];
        };
        Declined: {
            id: components["schemas"]["InvitationId"];
            /** @constant */
            status: "declined";
            declined_at: components["schemas"]["Timestamp"] | null;
        };
        RenewalRequested: {
            /** @constant */
            status: "requested";
            /** @description Whether an email to the inviter was queued (false if they left or opted out; admins still see `renewal_requested_at`). */
            inviter_notified: boolean;
        };
        Role: {
            name: components["schemas"]["RoleName"];
            /** @description Built-in (fixed) or the tenant's own. */
            builtin: boolean;
            /** @description In documentation order, without duplicates. */
            permissions: components["schemas"]["Permission"][];
            description: string | null;
            /** @description Members holding the role. */
            members: number;
            /** @description Custom roles only. */
            created_at?: components["schemas"]["Timestamp"];
            /** @description Custom roles only. */
            updated_at?: components["schemas"]["Timestamp"];
        };
        RoleList: {
            data: components["schemas"]["Role"][];
        };
        /**
         * @description One of a tenant's workspaces.
         * @example {
         *       "id": "north",
         *       "name": "North depot",
         *       "default": true
         *     }
         */
        Workspace: {
            /** @description Its id, the name invitations and members carry in `workspaces`. */
            id: components["schemas"]["WorkspaceId"];
            /** @description Display name. */
            name: string;
            /** @description Whether an invitation that names no workspace gets this one. */
            default: boolean;
        };
        WorkspaceList: {
            /** @description Every workspace of the tenant, sorted by id. */
            data: components["schemas"]["Workspace"][];
        };
        /** @description A person of the tenant's directory, and where they stand with the tenant. */
        DirectoryPerson: {
            /** @example dp_01a2518a */
            id: string;
            /** @enum {string} */
            source: "scim" | "upload";
            external_id: string | null;
            email: components["schemas"]["Email"] | null;
            first_name: string;
            last_name: string;
            title: string;
            department: string;
            company: string;
            employee_number: string;
            phone: string;
            active: boolean;
            /** @description The names of the groups the person is in. */
            groups: string[];
            /** @description Their membership, if they are a member. */
            member: {
                user_id: components["schemas"]["UserId"];
                role: components["schemas"]["RoleName"];
            } | null;
            /** @description Their pending invitation, or `blocked` with the reason provisioning could not send one. */
            invitation: {
                id?: components["schemas"]["InvitationId"];
                /** @enum {string} */
                status: "pending" | "blocked";
                /** @example seat_limit_reached */
                code?: string;
            } | null;
        };
        DirectoryPersonPage: {
            data: components["schemas"]["DirectoryPerson"][];
            next_cursor: components["schemas"]["NextCursor"];
        };
        CompanyList: {
            data: {
                name: string;
                people: number;
                active: number;
            }[];
        };
        DirectorySettings: {
            /** @enum {string} */
            provisioning: "stage" | "invite";
            /** @description Group name → the role provisioning gives its people. */
            group_roles: {
                [key: string]: components["schemas"]["RoleName"];
            };
            default_role: components["schemas"]["RoleName"];
        };
        DirectorySettingsPatch: {
            /** @enum {string} */
            provisioning?: "stage" | "invite";
            group_roles?: {
                [key: string]: string;
            };
            default_role?: string;
        };
        ScimTokenRequest: {
            name?: string;
        };
        ScimToken: {
            /** @example sct_01a2518a */
            id: string;
            name: string;
            /** @description The token's first characters, to tell tokens apart. */
            hint: string;
            created_by: components["schemas"]["UserId"] | null;
            created_at: components["schemas"]["Timestamp"];
        };
        /** @description A new SCIM token, with the token itself (this answer only). */
        ScimTokenCreated: {
            /** @description The bearer for `/scim/v2`. Shown in this answer only. */
            token: string;
            id: string;
            name: string;
            hint: string;
            created_by: components["schemas"]["UserId"] | null;
            created_at: components["schemas"]["Timestamp"];
        };
        ScimTokenList: {
            data: components["schemas"]["ScimToken"][];
        };
        JoinLinkRequest: {
            role: components["schemas"]["RoleName"];
            max_uses: number;
            /** @default 14 */
            expires_in_days?: number;
            /** @description Email domains the link is for (exactly; a subdomain is another domain). Empty or absent means any the tenant allows. */
            allowed_domains?: string[];
            /**
             * @description Redeeming files a join request for an admin to approve, instead of joining.
             * @default false
             */
            approval?: boolean;
        };
        /** @enum {string} */
        JoinLinkStatus: "active" | "expired" | "disabled" | "used_up";
        /** @description A join link (never its token). */
        JoinLink: {
            /** @example jl_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b */
            id: string;
            tenant_id: components["schemas"]["TenantId"];
            role: components["schemas"]["RoleName"];
            max_uses: number;
            uses: number;
            remaining: number;
            expires_at: components["schemas"]["Timestamp"];
            allowed_domains: string[];
            approval: boolean;
            disabled: boolean;
            status: components["schemas"]["JoinLinkStatus"];
            created_by: components["schemas"]["UserId"];
            created_at: components["schemas"]["Timestamp"];
        };
        /** @description A new join link, with its `url` (this answer only). */
        JoinLinkCreated: {
            /**
             * @description `{ACCEPT_URL}#join=<token>`. Shown in this answer only; the token is stored as a hash.
             * @example https://app.example.com/accept#join=q3Zr7Jb0x9Hf2LkPzW8sT1uV4yA6cE5gN0mQ-_abcdE
             */
            url: string;
            /** @example jl_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b */
            id: string;
            tenant_id: components["schemas"]["TenantId"];
            role: components["schemas"]["RoleName"];
            max_uses: number;
            uses: number;
            remaining: number;
            expires_at: components["schemas"]["Timestamp"];
            allowed_domains: string[];
            approval: boolean;
            disabled: boolean;
            status: components["schemas"]["JoinLinkStatus"];
            created_by: components["schemas"]["UserId"];
            created_at: components["schemas"]["Timestamp"];
        };
        JoinLinkList: {
            data: components["schemas"]["JoinLink"][];
        };
        /** @description What the landing page of a join link shows. */
        JoinLinkLookup: {
            tenant_id: components["schemas"]["TenantId"];
            tenant_name: string;
            role: components["schemas"]["RoleName"];
            /** @description Uses left. */
            remaining: number;
            expires_at: components["schemas"]["Timestamp"];
            /** @description Whether joining needs an admin's approval. */
            approval: boolean;
            allowed_domains: string[];
            /** @description `active` means the link can be redeemed. */
            status: components["schemas"]["JoinLinkStatus"];
        };
        JoinLinkRedeemed: {
            /** @enum {string} */
            outcome: "joined" | "requested";
            tenant_id: components["schemas"]["TenantId"];
            tenant_name: string;
            /** @description The new membership (`joined`). */
            member?: components["schemas"]["Member"];
            /** @description The request filed (`requested`). */
            join_request?: components["schemas"]["JoinRequest"];
        };
        /** @enum {string} */
        JoinRequestStatus: "pending" | "approved" | "denied";
        /** @description A person's request to join a tenant, filed through a link that needs approval or a verified domain whose policy is `request`. */
        JoinRequest: {
            /** @example jr_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b */
            id: string;
            tenant_id: components["schemas"]["TenantId"];
            /** @description The join link it came through (absent when it came through a verified domain). */
            link_id?: string;
            /** @description The verified domain it came through (absent when it came through a link). */
            domain?: string;
            user_id: components["schemas"]["UserId"];
            email: components["schemas"]["Email"];
            name: string | null;
            role: components["schemas"]["RoleName"];
            status: components["schemas"]["JoinRequestStatus"];
            created_at: components["schemas"]["Timestamp"];
            decided_at: components["schemas"]["Timestamp"] | null;
            decided_by: components["schemas"]["UserId"] | null;
        };
        JoinRequestPage: {
            data: components["schemas"]["JoinRequest"][];
            next_cursor: components["schemas"]["NextCursor"];
        };
        JoinRequestApproved: {
            join_request: components["schemas"]["JoinRequest"];
            member: components["schemas"]["Member"];
        };
        /** @description One of the caller's join requests, with the tenant's name. */
        MyJoinRequest: {
            tenant_name: string;
            /** @example jr_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b */
            id: string;
            tenant_id: components["schemas"]["TenantId"];
            /** @description The join link it came through (absent when it came through a verified domain). */
            link_id?: string;
            /** @description The verified domain it came through (absent when it came through a link). */
            domain?: string;
            user_id: components["schemas"]["UserId"];
            email: components["schemas"]["Email"];
            name: string | null;
            role: components["schemas"]["RoleName"];
            status: components["schemas"]["JoinRequestStatus"];
            created_at: components["schemas"]["Timestamp"];
            decided_at: components["schemas"]["Timestamp"] | null;
            decided_by: components["schemas"]["UserId"] | null;
        };
        MyJoinRequestList: {
            data: components["schemas"]["MyJoinRequest"][];
        };
        DomainRequest: {
            /** @example acme.com */
            domain: string;
        };
        DomainPolicy: {
            join: components["schemas"]["JoinPolicy"];
            /** @description The role people joining get (required unless `join` is `off`). */
            join_role?: components["schemas"]["RoleName"] | null;
        };
        /**
         * @description `off`: nobody joins through the domain; `request`: people ask, an admin approves; `auto`: people join at once while a seat is free.
         * @enum {string}
         */
        JoinPolicy: "off" | "request" | "auto";
        /**
         * @description `pending`: its record was not found yet; `verified`: found (and missing for less than 7 days); `lapsed`: missing 7 days in a row, joining stopped until it is back.
         * @enum {string}
         */
        DomainStatus: "pending" | "verified" | "lapsed";
        /** @description An email domain a tenant added. */
        Domain: {
            /** @example acme.com */
            domain: string;
            tenant_id: components["schemas"]["TenantId"];
            status: components["schemas"]["DomainStatus"];
            /** @description The DNS TXT record that proves the domain (not a secret). */
            verification: {
                /** @enum {string} */
                type: "dns_txt";
                /** @example _usher-verification.acme.com */
                name: string;
                /** @example usher-verification=3f9c2a7d41b86e05c9d1a2b3c4d5e6f7 */
                value: string;
            };
            join: components["schemas"]["JoinPolicy"];
            join_role: components["schemas"]["RoleName"] | null;
            verified_at?: components["schemas"]["Timestamp"];
            last_checked_at?: components["schemas"]["Timestamp"];
            /** @description Since when a verified domain's record has been missing. */
            missing_since?: components["schemas"]["Timestamp"];
            /** @description When it lapses unless the record comes back. */
            lapses_at?: components["schemas"]["Timestamp"];
            /** @description Why the last lookup did not verify it. */
            check_reason?: string;
            created_at: components["schemas"]["Timestamp"];
        };
        DomainList: {
            data: components["schemas"]["Domain"][];
        };
        JoinableTenant: {
            tenant_id: components["schemas"]["TenantId"];
            tenant_name: string;
            domain: string;
            /** @enum {string} */
            join: "request" | "auto";
            role: components["schemas"]["RoleName"];
            /** @description The caller's pending request, when they asked already. */
            join_request?: components["schemas"]["JoinRequest"];
        };
        JoinableTenantList: {
            data: components["schemas"]["JoinableTenant"][];
        };
        /** @description A `CloudEvent` whose `data.resource` is a `Domain`, as the API shows it after the change. */
        DomainEvent: {
            specversion: components["schemas"]["CloudEventSpecVersion"];
            id: components["schemas"]["CloudEventId"];
            source: components["schemas"]["CloudEventSource"];
            /**
             * @description `usher.` + the audit action (`AuditEvent.action`). (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            type: "usher.domain.added" | "usher.domain.verified" | "usher.domain.lapsed" | "usher.domain.updated";
            /** @description When the change happened (`AuditEvent.at`). */
            time: components["schemas"]["Timestamp"];
            subject: components["schemas"]["CloudEventSubject"];
            tenantid: components["schemas"]["TenantId"];
            datacontenttype: components["schemas"]["CloudEventDataContentType"];
            sequence: components["schemas"]["CloudEventSequence"];
            /** @description The audit event's actor, target (the domain) and details, and the domain. */
            data: {
                actor: components["schemas"]["EventActor"];
                /** @description The domain. */
                target: string;
                /** @description The audit event's details (`AuditEvent.details`). */
                details: Record<string, unknown>;
                resource: components["schemas"]["Domain"];
            };
        };
        /** @description A `CloudEvent` whose `data.resource` is a `JoinLink` (`join_link.*`, never its token) or a `JoinRequest` (`join_request.*`), as the API shows it after the change. */
        JoinEvent: {
            specversion: components["schemas"]["CloudEventSpecVersion"];
            id: components["schemas"]["CloudEventId"];
            source: components["schemas"]["CloudEventSource"];
            /**
             * @description `usher.` + the audit action (`AuditEvent.action`). (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            type: "usher.join_link.created" | "usher.join_link.disabled" | "usher.join_request.created" | "usher.join_request.approved" | "usher.join_request.denied";
            /** @description When the change happened (`AuditEvent.at`). */
            time: components["schemas"]["Timestamp"];
            subject: components["schemas"]["CloudEventSubject"];
            tenantid: components["schemas"]["TenantId"];
            datacontenttype: components["schemas"]["CloudEventDataContentType"];
            sequence: components["schemas"]["CloudEventSequence"];
            /** @description The audit event's actor, target and details, and what changed. */
            data: {
                actor: components["schemas"]["EventActor"];
                /** @description What it was done to (`AuditEvent.target`). */
                target: string;
                /** @description The audit event's details (`AuditEvent.details`; never tokens). */
                details: Record<string, unknown>;
                resource: components["schemas"]["JoinLink"] | components["schemas"]["JoinRequest"];
            };
        };
        /** @description Something that happened in a tenant. */
        AuditEvent: {
            /** @description Time-ordered id. */
            id: string;
            tenant_id: components["schemas"]["TenantId"];
            /**
             * @description What happened: `tenant.created`, `tenant.updated`, `invitation.created`,
             *     `invitation.updated`, `invitation.resent`, `invitation.reminded`, `invitation.revoked`,
             *     `invitation.accepted`, `invitation.declined`, `invitation.expired`,
             *     `invitation.renewal_requested`, `invitation.delivery_failed`, `invitation.bounced`,
             *     `invitation.complained`, `member.added`, `member.updated`, `member.email_changed`,
             *     `member.removed`, `member.left`, `role.created`, `role.updated`, `role.deleted`,
             *     `workspace.created`, `workspace.updated`, `workspace.deleted`, `scim_token.created`,
             *     `scim_token.revoked`, `directory.settings_updated`, `directory.uploaded`,
             *     `join_link.created`, `join_link.disabled`, `join_request.created`,
             *     `join_request.approved`, `join_request.denied`, `domain.added`, `domain.verified`,
             *     `domain.lapsed`, `domain.updated`, `domain.removed` (more may be added).
             *     `member.added` says in its details how the person came: `"via": "invitation"`,
             *     `"join_link"`, `"domain"` or `"scim"`.
             *     Each is also published to the host application as the event `usher.<action>`
             *     (see `webhooks`).
             * @example invitation.created
             */
            action: string;
            /** @description Who did it (`null`, the system, an operator or an anonymous invitee). */
            actor: components["schemas"]["UserId"] | null;
            /** @description What it was done to (an invitation, user or tenant id, a role name, or a workspace id). */
            target: string;
            /**
             * @description Details (role changes and the like; never tokens). `member.updated` says what
             *     changed, and `email_change_requested_to` the new address's domain when an address
             *     change was asked for; `member.email_changed` has `from_domain` and `to_domain`.
             */
            details: Record<string, unknown>;
            at: components["schemas"]["Timestamp"];
            /**
             * @description What it was done to, as the API shows it, right after the change: for
             *     `invitation.*` an `Invitation`, `member.*` a `Member`, `role.*` a `Role`,
             *     `workspace.*` a `Workspace`, `tenant.*` the `Tenant` (the same JSON as the API's
             *     answers about it). `null` when the change deleted it (`member.removed`,
             *     `member.left`, `role.deleted`, `workspace.deleted`); absent for events written
             *     before this version.
             */
            resource?: components["schemas"]["EventResource"];
        } & components["schemas"]["ResourceByAction"];
        /** @description What an event is about, as the API shows it right after the change (`null` when the change deleted it). */
        EventResource: components["schemas"]["Invitation"] | components["schemas"]["Member"] | components["schemas"]["Role"] | components["schemas"]["Workspace"] | components["schemas"]["Tenant"] | components["schemas"]["JoinLink"] | components["schemas"]["JoinRequest"] | components["schemas"]["Domain"] | null;
        /**
         * @description Which resource an audit event (`action`) carries: an `Invitation` for `invitation.*`, a
         *     `Member` for `member.*`, a `Role` for `role.*`, a `Workspace` for `workspace.*`, the
         *     `Tenant` for `tenant.*`; `null` for the changes that delete it.
         */
        ResourceByAction: unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown & unknown;
        /**
         * @description One audit event for the host application: CloudEvents 1.0, structured JSON mode, with
         *     the extension attributes `tenantid` and `sequence`. The body of `usherEvent`; on AWS
         *     also the `detail` of the EventBridge event on the stage's bus (`source` and
         *     `detail-type` there are this `source` and `type`).
         *
         *     A union on `type` (`usher.` + the audit action, `AuditEvent.action`): each member names
         *     its types and the schema of `data.resource`, what changed as the API shows it right
         *     after the change (`AuditEvent.resource`), or `null` when the change deleted it. More
         *     types may be added: ignore types you do not know.
         * @example {
         *       "specversion": "1.0",
         *       "id": "0190b4a1c2d37e8f9a0b1c2d3e4f5a70",
         *       "source": "usher/prod",
         *       "type": "usher.invitation.accepted",
         *       "time": "2026-01-03T08:30:00Z",
         *       "subject": "tenants/ten_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b/invitations/inv_0190b4a1c2d37e8f9a0b1c2d3e4f5a6c",
         *       "tenantid": "ten_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b",
         *       "datacontenttype": "application/json",
         *       "sequence": "0000000000000000000000000000111200000000",
         *       "data": {
         *         "actor": "usr_0190b4a1c2d37e8f9a0b1c2d3e4f5a6e",
         *         "target": "inv_0190b4a1c2d37e8f9a0b1c2d3e4f5a6c",
         *         "details": {
         *           "role": "admin",
         *           "invitation_id": "inv_0190b4a1c2d37e8f9a0b1c2d3e4f5a6c"
         *         },
         *         "resource": {
         *           "id": "inv_0190b4a1c2d37e8f9a0b1c2d3e4f5a6c",
         *           "tenant_id": "ten_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b",
         *           "email": "ada@example.com",
         *           "role": "admin",
         *           "workspaces": [
         *             "north"
         *           ],
         *           "status": "accepted",
         *           "expires_at": "2026-01-09T10:00:00Z",
         *           "created_at": "2026-01-02T10:00:00Z",
         *           "updated_at": "2026-01-03T08:30:00Z",
         *           "invited_by": {
         *             "user_id": "usr_0190b4a1c2d37e8f9a0b1c2d3e4f5a6d",
         *             "email": "charles@example.com",
         *             "name": "Charles Babbage"
         *           },
         *           "resend_count": 0,
         *           "last_sent_at": "2026-01-02T10:00:01Z",
         *           "delivery": {
         *             "status": "sent",
         *             "attempts": 1
         *           },
         *           "profile": {
         *             "first_name": "Ada",
         *             "last_name": "Lovelace"
         *           },
         *           "locale": "en",
         *           "notifications": {
         *             "weekly_summary": false,
         *             "weekly_summary_workspaces": [],
         *             "new_messages": true,
         *             "renewal_requests": true
         *           },
         *           "record_owner": false,
         *           "metadata": {},
         *           "accepted_by": "usr_0190b4a1c2d37e8f9a0b1c2d3e4f5a6e",
         *           "closed_at": "2026-01-03T08:30:00Z"
         *         }
         *       }
         *     }
         */
        CloudEvent: components["schemas"]["InvitationEvent"] | components["schemas"]["MemberEvent"] | components["schemas"]["RoleEvent"] | components["schemas"]["WorkspaceEvent"] | components["schemas"]["TenantEvent"] | components["schemas"]["JoinEvent"] | components["schemas"]["DomainEvent"] | components["schemas"]["DeletionEvent"];
        /**
         * @description The CloudEvents version.
         * @constant
         */
        CloudEventSpecVersion: "1.0";
        /** @description The audit event's id (`AuditEvent.id`); the same change always has the same id, so dedupe by it. Also the `webhook-id` header. */
        CloudEventId: string;
        /**
         * @description `usher/<stage>`: the Usher deployment that published it.
         * @example usher/prod
         */
        CloudEventSource: string;
        /**
         * @description What changed: `tenants/<tenantId>/invitations/<invitationId>`,
         *     `tenants/<tenantId>/members/<userId>`, `tenants/<tenantId>/roles/<role>`,
         *     `tenants/<tenantId>/workspaces/<workspaceId>`, `tenants/<tenantId>/scim-tokens/<tokenId>`,
         *     or `tenants/<tenantId>`.
         * @example tenants/ten_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b/invitations/inv_0190b4a1c2d37e8f9a0b1c2d3e4f5a6c
         */
        CloudEventSubject: string;
        /**
         * @description The media type of `data`.
         * @constant
         */
        CloudEventDataContentType: "application/json";
        /**
         * @description Where the change sits in the order of changes (the table's change log position),
         *     40 digits, zero-padded so that comparing as text orders a tenant's events. Events
         *     may arrive out of order: keep the highest `sequence` seen per `subject`.
         * @example 0000000000000000000000000000111200000000
         */
        CloudEventSequence: string;
        /** @description Who made the change (`null`, the service itself, an operator or an anonymous invitee). */
        EventActor: components["schemas"]["UserId"] | null;
        /** @description A `CloudEvent` whose `data.resource` is an `Invitation`, as `getInvitation` shows it after the change. */
        InvitationEvent: {
            specversion: components["schemas"]["CloudEventSpecVersion"];
            id: components["schemas"]["CloudEventId"];
            source: components["schemas"]["CloudEventSource"];
            /**
             * @description `usher.` + the audit action (`AuditEvent.action`). (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            type: "usher.invitation.created" | "usher.invitation.updated" | "usher.invitation.resent" | "usher.invitation.reminded" | "usher.invitation.revoked" | "usher.invitation.accepted" | "usher.invitation.declined" | "usher.invitation.expired" | "usher.invitation.renewal_requested" | "usher.invitation.delivery_failed" | "usher.invitation.bounced" | "usher.invitation.complained";
            /** @description When the change happened (`AuditEvent.at`). */
            time: components["schemas"]["Timestamp"];
            subject: components["schemas"]["CloudEventSubject"];
            tenantid: components["schemas"]["TenantId"];
            datacontenttype: components["schemas"]["CloudEventDataContentType"];
            sequence: components["schemas"]["CloudEventSequence"];
            /** @description The audit event's actor, target and details, and what changed. */
            data: {
                actor: components["schemas"]["EventActor"];
                /** @description What it was done to (`AuditEvent.target`). */
                target: string;
                /** @description The audit event's details (`AuditEvent.details`; never tokens). */
                details: Record<string, unknown>;
                resource: components["schemas"]["Invitation"];
            };
        };
        /** @description A `CloudEvent` whose `data.resource` is a `Member`, as `listMembers` shows it after the change. */
        MemberEvent: {
            specversion: components["schemas"]["CloudEventSpecVersion"];
            id: components["schemas"]["CloudEventId"];
            source: components["schemas"]["CloudEventSource"];
            /**
             * @description `usher.` + the audit action (`AuditEvent.action`). (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            type: "usher.member.added" | "usher.member.updated" | "usher.member.email_changed";
            /** @description When the change happened (`AuditEvent.at`). */
            time: components["schemas"]["Timestamp"];
            subject: components["schemas"]["CloudEventSubject"];
            tenantid: components["schemas"]["TenantId"];
            datacontenttype: components["schemas"]["CloudEventDataContentType"];
            sequence: components["schemas"]["CloudEventSequence"];
            /** @description The audit event's actor, target and details, and what changed. */
            data: {
                actor: components["schemas"]["EventActor"];
                /** @description What it was done to (`AuditEvent.target`). */
                target: string;
                /** @description The audit event's details (`AuditEvent.details`; never tokens). */
                details: Record<string, unknown>;
                resource: components["schemas"]["Member"];
            };
        };
        /** @description A `CloudEvent` whose `data.resource` is a `Role`, as `getRole` shows it after the change. */
        RoleEvent: {
            specversion: components["schemas"]["CloudEventSpecVersion"];
            id: components["schemas"]["CloudEventId"];
            source: components["schemas"]["CloudEventSource"];
            /**
             * @description `usher.` + the audit action (`AuditEvent.action`). (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            type: "usher.role.created" | "usher.role.updated";
            /** @description When the change happened (`AuditEvent.at`). */
            time: components["schemas"]["Timestamp"];
            subject: components["schemas"]["CloudEventSubject"];
            tenantid: components["schemas"]["TenantId"];
            datacontenttype: components["schemas"]["CloudEventDataContentType"];
            sequence: components["schemas"]["CloudEventSequence"];
            /** @description The audit event's actor, target and details, and what changed. */
            data: {
                actor: components["schemas"]["EventActor"];
                /** @description What it was done to (`AuditEvent.target`). */
                target: string;
                /** @description The audit event's details (`AuditEvent.details`; never tokens). */
                details: Record<string, unknown>;
                resource: components["schemas"]["Role"];
            };
        };
        /** @description A `CloudEvent` whose `data.resource` is a `Workspace`, as `listWorkspaces` shows it after the change. */
        WorkspaceEvent: {
            specversion: components["schemas"]["CloudEventSpecVersion"];
            id: components["schemas"]["CloudEventId"];
            source: components["schemas"]["CloudEventSource"];
            /**
             * @description `usher.` + the audit action (`AuditEvent.action`). (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            type: "usher.workspace.created" | "usher.workspace.updated";
            /** @description When the change happened (`AuditEvent.at`). */
            time: components["schemas"]["Timestamp"];
            subject: components["schemas"]["CloudEventSubject"];
            tenantid: components["schemas"]["TenantId"];
            datacontenttype: components["schemas"]["CloudEventDataContentType"];
            sequence: components["schemas"]["CloudEventSequence"];
            /** @description The audit event's actor, target and details, and what changed. */
            data: {
                actor: components["schemas"]["EventActor"];
                /** @description What it was done to (`AuditEvent.target`). */
                target: string;
                /** @description The audit event's details (`AuditEvent.details`; never tokens). */
                details: Record<string, unknown>;
                resource: components["schemas"]["Workspace"];
            };
        };
        /** @description A `CloudEvent` whose `data.resource` is the `Tenant`, as `getTenant` shows it after the change. */
        TenantEvent: {
            specversion: components["schemas"]["CloudEventSpecVersion"];
            id: components["schemas"]["CloudEventId"];
            source: components["schemas"]["CloudEventSource"];
            /**
             * @description `usher.` + the audit action (`AuditEvent.action`). (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            type: "usher.tenant.created" | "usher.tenant.updated";
            /** @description When the change happened (`AuditEvent.at`). */
            time: components["schemas"]["Timestamp"];
            subject: components["schemas"]["CloudEventSubject"];
            tenantid: components["schemas"]["TenantId"];
            datacontenttype: components["schemas"]["CloudEventDataContentType"];
            sequence: components["schemas"]["CloudEventSequence"];
            /** @description The audit event's actor, target and details, and what changed. */
            data: {
                actor: components["schemas"]["EventActor"];
                /** @description What it was done to (`AuditEvent.target`). */
                target: string;
                /** @description The audit event's details (`AuditEvent.details`; never tokens). */
                details: Record<string, unknown>;
                resource: components["schemas"]["Tenant"];
            };
        };
        /** @description A `CloudEvent` whose `data.resource` is `null`: the change deleted what it was about, or it is about something the API shows no resource for (a SCIM token, the directory settings; their `details` say what changed, never a token). */
        DeletionEvent: {
            specversion: components["schemas"]["CloudEventSpecVersion"];
            id: components["schemas"]["CloudEventId"];
            source: components["schemas"]["CloudEventSource"];
            /**
             * @description `usher.` + the audit action (`AuditEvent.action`). (enum property replaced by openapi-typescript)
             * @enum {string}
             */
            type: "usher.member.removed" | "usher.member.left" | "usher.role.deleted" | "usher.workspace.deleted" | "usher.scim_token.created" | "usher.scim_token.revoked" | "usher.directory.settings_updated" | "usher.directory.uploaded" | "usher.domain.removed";
            /** @description When the change happened (`AuditEvent.at`). */
            time: components["schemas"]["Timestamp"];
            subject: components["schemas"]["CloudEventSubject"];
            tenantid: components["schemas"]["TenantId"];
            datacontenttype: components["schemas"]["CloudEventDataContentType"];
            sequence: components["schemas"]["CloudEventSequence"];
            /** @description The audit event's actor, target and details, and what changed. */
            data: {
                actor: components["schemas"]["EventActor"];
                /** @description What it was done to (`AuditEvent.target`). */
                target: string;
                /** @description The audit event's details (`AuditEvent.details`; never tokens). */
                details: Record<string, unknown>;
                /** @description Nothing (the change deleted it). */
                resource: null;
            };
        };
        AuditPage: {
            data: components["schemas"]["AuditEvent"][];
            next_cursor: components["schemas"]["NextCursor"];
        };
        DirectoryUploadSummary: {
            /** @description People new to the directory. */
            added: number;
            /** @description People whose details changed. */
            updated: number;
            /** @description People in the file exactly as stored. */
            unchanged: number;
            /** @description Uploaded people the file left out, now inactive. */
            deactivated: number;
            /** @description The rows that could not be read (at most 1000 listed). */
            errors: {
                /** @description 1 is the first row under the header. */
                row: number;
                /** @enum {string} */
                code: "missing_identity" | "invalid_email" | "invalid_active" | "invalid_value" | "duplicate_person";
                message: string;
            }[];
            /** @description How many rows could not be read in all. */
            error_count: number;
            /** @description Columns Usher does not read (ignored). */
            warnings: string[];
        };
        BulkInviteRequest: {
            /** @description One invitation per row; each row is judged on its own (a malformed row is that row's `invalid_request`). A row may name a directory person (`directory_person_id`) instead of an `email`: the directory gives the address and the names the row leaves out; a person with no address on file is the row's `missing_email`, one no longer active `inactive_person`, an unknown id `not_found`. */
            invitations: Record<string, unknown>[];
            /** @description The review step: answer what would happen, write and send nothing. */
            dry_run?: boolean;
        };
        BulkReport: {
            dry_run: boolean;
            results: components["schemas"]["BulkRowResult"][];
            summary: {
                rows: number;
                /** @description Absent on a dry run. */
                invited?: number;
                /** @description Dry runs only. */
                would_invite?: number;
                errors: number;
            };
            /** @description Notes about the upload as a whole (unknown CSV columns). */
            warnings?: string[];
        };
        BulkRowResult: {
            /** @description 1-based position in the upload (a CSV's header row is not counted). */
            row: number;
            /** @description The directory person the row named, if it named one. */
            directory_person_id?: string;
            email?: string;
            /** @enum {string} */
            outcome: "invited" | "would_invite" | "error";
            /** @enum {string} */
            code?: "invalid_request" | "unknown_workspace" | "domain_not_allowed" | "duplicate_in_upload" | "unknown_role" | "role_not_grantable" | "already_member" | "already_invited" | "seat_limit_reached" | "unavailable" | "missing_email" | "inactive_person" | "not_found";
            message?: string;
            errors?: components["schemas"]["FieldError"][];
            invitation?: components["schemas"]["Invitation"];
        };
        InviteRequest: {
            /**
             * Format: email
             * @description The invitee's address (trimmed, compared case-insensitively, domain IDNA-normalised).
             */
            email: string;
            role: components["schemas"]["RoleName"];
            /** @description Workspaces given on accepting (duplicates removed, sorted). Once the tenant defines workspaces, each must be one of them (code `unknown_workspace`), and none (absent or empty) gives the default ones. */
            workspaces?: components["schemas"]["WorkspaceId"][];
            profile?: components["schemas"]["ProfileInput"];
            locale?: components["schemas"]["LocaleInput"];
            /** @description Lifetime of the link in days, a whole number (no fraction, `7.0` is refused), up to the deployment's maximum (30 by default). Default, the tenant's `invitation_ttl_days`. */
            expires_in_days?: number;
            /** @description A personal note shown in the email (trimmed; blank means none; no control characters but line breaks). */
            message?: string;
            /** @description The emails the person will get once a member; fields left out take the defaults. The weekly summary's workspaces must be among `workspaces`. */
            notifications?: components["schemas"]["NotificationsPatch"];
            /**
             * @description Whether the host application may assign records to the person.
             * @default false
             */
            record_owner?: boolean;
            /** @description The host application's own JSON object (at most 4096 bytes serialised), never interpreted by Usher. */
            metadata?: components["schemas"]["Metadata"];
        };
        /** @description Changes to a pending invitation. Absent fields stay as they are. */
        InvitationPatch: {
            role?: components["schemas"]["RoleName"];
            /** @description Replaces the list (duplicates removed, sorted); the weekly summary drops workspaces no longer among it. Once the tenant defines workspaces, each must be one of them (code `unknown_workspace`), and an empty list gives the default ones. */
            workspaces?: components["schemas"]["WorkspaceId"][];
            profile?: components["schemas"]["ProfileInput"];
            locale?: components["schemas"]["LocaleInput"];
            /** @description Fields left out keep their values. */
            notifications?: components["schemas"]["NotificationsPatch"];
            record_owner?: boolean;
            /** @description Replaces the host application's object (at most 4096 bytes serialised); `null` clears it. */
            metadata?: Record<string, unknown> | null;
        };
        /** @description Absent fields stay as they are. */
        MemberPatch: {
            role?: components["schemas"]["RoleName"];
            /** @description Replaces the list (duplicates removed, sorted); the weekly summary drops workspaces the member no longer has. Once the tenant defines workspaces, each must be one of them (code `unknown_workspace`). */
            workspaces?: components["schemas"]["WorkspaceId"][];
            profile?: components["schemas"]["ProfileInput"];
            /** @description Fields left out keep their values. */
            notifications?: components["schemas"]["NotificationsPatch"];
            /** @description Needs `members.update` (also on oneself). */
            record_owner?: boolean;
            /** @description Replaces the host application's object (at most 4096 bytes serialised); `null` clears it. Needs `members.update` (also on oneself). */
            metadata?: Record<string, unknown> | null;
            /**
             * Format: email
             * @description Asks for the member's address to change (see Email changes): it changes only once
             *     the new address confirms, and meanwhile the member shows `pending_email`. Needs
             *     `members.update`; never on oneself (`403 forbidden`). The member's current address
             *     calls a pending change off; another address replaces it.
             */
            email?: string;
        };
        NewTenant: {
            name: string;
            /**
             * Format: email
             * @description The first owner's address; they sign in with it and find themself owner.
             */
            owner_email: string;
            /** @description Most members plus pending invitations, a whole number (no fraction, `56.0` is refused; omit for unlimited). */
            seat_limit?: number;
            /** @description Default invitation lifetime in days, a whole number (no fraction, `7.0` is refused), up to the deployment's maximum (30 by default). Default, the deployment's default (7). */
            invitation_ttl_days?: number;
        };
        /** @description Absent fields stay as they are. */
        TenantPatch: {
            name?: string;
            /** @description New seat limit (operators only), a whole number (no fraction, `56.0` is refused). `0` is not unlimited; use `unlimited_seats`. */
            seat_limit?: number;
            /**
             * @description Remove the seat limit (operators only).
             * @default false
             */
            unlimited_seats?: boolean;
            /** @description New default invitation lifetime in days, a whole number (no fraction, `7.0` is refused), up to the deployment's maximum (30 by default). */
            invitation_ttl_days?: number;
            /**
             * @description The email domains invitations may go to; replaces the list, `[]` allows any. Each
             *     entry is a domain as an email address carries it (`acme.example`; a leading `@` is
             *     tolerated; trimmed, lower-cased, IDNA-encoded, duplicates removed). An invalid entry
             *     is `400` (field `allowed_domains[i]`, code `invalid_domain`); more than 50 is field
             *     `allowed_domains`, code `too_many`. Owners (on `/settings`) and operators.
             * @example [
             *       "acme.example",
             *       "@acme-labs.example"
             *     ]
             */
            allowed_domains?: string[];
        };
        RoleRequest: {
            /** @description What the role allows (may be empty; duplicates collapse). */
            permissions: components["schemas"]["Permission"][];
            /** @description What the role is for (blank means none; no control characters). */
            description?: string;
        };
        /**
         * @description What to set on the workspace; absent fields stay as they are (on creation: `name`
         *     the id, `default` false). The whole body may be left out.
         */
        WorkspaceRequest: {
            /**
             * @description Display name: trimmed, 1 to 100 characters, no control characters (else `400`,
             *     field `name`, code `empty`, `too_long` or `invalid_characters`). Default on
             *     creation, the id.
             */
            name?: string;
            /** @description Whether an invitation that names no workspace gets this one. */
            default?: boolean;
        };
        TokenRequest: {
            token: components["schemas"]["InvitationToken"];
        };
        JoinTokenRequest: {
            /** @description The token from the join link's fragment (`#join=...`), shaped like an invitation token (43 URL-safe base64 characters). */
            token: string;
        };
        DeclineRequest: {
            token: components["schemas"]["InvitationToken"];
            /** @description Why (optional; blank means none; no control characters but line breaks). */
            reason?: string;
        };
        EmailChangeConfirmRequest: {
            token: components["schemas"]["EmailChangeToken"];
        };
        RemoveMemberRequest: {
            /**
             * Format: email
             * @description The member's email address, typed to confirm.
             */
            confirm_email: string;
        };
        /**
         * @description The token from the email link's fragment (`#token=...`), 43 URL-safe base64 characters (32 bytes, unpadded, so the last character carries 2 zero bits).
         * @example q3Zr7Jb0x9Hf2LkPzW8sT1uV4yA6cE5gN0mQ-_abcdE
         */
        InvitationToken: string;
        /**
         * @description The token from the email-change link's fragment (`#email_token=...`), shaped like an invitation token (43 URL-safe base64 characters, 32 bytes, unpadded, so the last character carries 2 zero bits).
         * @example Vb8s2Qx0LmT4nZ7rK1yH9cW3eF6gJ5dA_pU-oI2sN0E
         */
        EmailChangeToken: string;
        /** @description An RFC 9457 problem detail. */
        Problem: {
            /**
             * Format: uri
             * @description `https://usher.dev/problems/<code>`.
             */
            type: string;
            /** @description A fixed sentence per code. */
            title: string;
            /** @description The HTTP status. */
            status: number;
            /** @description A sentence about this occurrence, for humans. */
            detail: string;
            code: components["schemas"]["ErrorCode"];
            /** @description The request's id, as in the `x-request-id` header. */
            request_id: string;
            /** @description Only with `invalid_request`; every field that is wrong. */
            errors?: components["schemas"]["FieldError"][];
        };
        FieldError: {
            /** @description JSON path of the field (`email`, `profile.phone`, `permissions[2]`), or `body`, `Content-Type`, `Idempotency-Key`. */
            field: string;
            /** @description Stable reason (`required`, `invalid_email`, `unknown_role`, ...). */
            code: string;
            /** @description A sentence for humans. */
            message: string;
        };
        /**
         * @description The stable error code; see the table in the API description for statuses.
         * @enum {string}
         */
        ErrorCode: "invalid_request" | "unauthenticated" | "forbidden" | "email_mismatch" | "role_not_grantable" | "domain_not_allowed" | "not_found" | "already_invited" | "already_member" | "seat_limit_reached" | "idempotency_conflict" | "invalid_state" | "method_not_allowed" | "invitation_expired" | "invitation_revoked" | "invitation_used" | "invitation_declined" | "link_expired" | "link_disabled" | "link_used_up" | "consumer_domain" | "domain_taken" | "payload_too_large" | "rate_limited" | "internal" | "unavailable" | "userinfo_subject_mismatch" | "userinfo_failed" | "userinfo_not_configured";
    };
    responses: {
        /**
         * @description `invalid_request`: the request is malformed; `errors` lists every field that is wrong.
         *     Field codes include `required` (also field `Content-Type` when a body comes without
         *     one), `invalid_json` (field `body`), `invalid_field` (a wrong type, at the field's JSON
         *     path), `unknown_field` (at its JSON path, e.g. `profile.nickname`),
         *     `unsupported_media_type` (field `Content-Type`),
         *     `invalid_idempotency_key`, `invalid_email`, `invalid_role`, `unknown_role`,
         *     `unknown_permission`, `invalid_workspace`, `unknown_workspace`, `too_many`, `too_long`,
         *     `too_large`, `invalid_type`, `empty`, `invalid_characters`, `invalid_phone`,
         *     `unsupported_locale`, `out_of_range`, `invalid_token`, `unknown_field`,
         *     `does_not_match`, `invalid_status`, `invalid_cursor`, `invalid_domain`,
         *     `unsupported_format`, `unsupported_include`, `invalid_csv`, `invalid_xlsx`.
         */
        BadRequest: {
            headers: {
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/invalid_request",
                 *       "title": "The request is not valid",
                 *       "status": 400,
                 *       "detail": "2 fields are not valid; see `errors`",
                 *       "code": "invalid_request",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11",
                 *       "errors": [
                 *         {
                 *           "field": "email",
                 *           "code": "invalid_email",
                 *           "message": "not a valid email address: it has no '@'"
                 *         },
                 *         {
                 *           "field": "role",
                 *           "code": "required",
                 *           "message": "role is required"
                 *         }
                 *       ]
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `unauthenticated`: no valid Bearer token. */
        Unauthenticated: {
            headers: {
                "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/unauthenticated",
                 *       "title": "Authentication required",
                 *       "status": 401,
                 *       "detail": "sign in first: this endpoint needs a Bearer token",
                 *       "code": "unauthenticated",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `forbidden`, `email_mismatch`, `role_not_grantable` or `domain_not_allowed`. */
        Forbidden: {
            headers: {
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/role_not_grantable",
                 *       "title": "You cannot grant this role",
                 *       "status": 403,
                 *       "detail": "you cannot grant the role 'owner'",
                 *       "code": "role_not_grantable",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `not_found`: no such thing, or not in a tenant the caller belongs to. */
        NotFound: {
            headers: {
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/not_found",
                 *       "title": "Not found",
                 *       "status": 404,
                 *       "detail": "not found",
                 *       "code": "not_found",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `already_invited`, `already_member`, `seat_limit_reached`, `idempotency_conflict` or `invalid_state`. */
        Conflict: {
            headers: {
                /** @description Only on `idempotency_conflict` while the first request with the key is still running. */
                "Retry-After"?: number;
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/already_invited",
                 *       "title": "Already invited",
                 *       "status": 409,
                 *       "detail": "ada@example.com already has a pending invitation",
                 *       "code": "already_invited",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `invitation_expired`, `invitation_revoked`, `invitation_used` or `invitation_declined`. */
        Gone: {
            headers: {
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/invitation_expired",
                 *       "title": "Invitation expired",
                 *       "status": 410,
                 *       "detail": "this invitation has expired; ask for a new one",
                 *       "code": "invitation_expired",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `link_expired`, `link_disabled` or `link_used_up`: the join link no longer works; ask the tenant's admin for a new one. */
        JoinLinkGone: {
            headers: {
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/link_used_up",
                 *       "title": "Link used up",
                 *       "status": 410,
                 *       "detail": "every use of this join link is taken; ask the tenant's admin for a new one",
                 *       "code": "link_used_up",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `link_expired`: the email-change confirmation link is past its 7 days; an admin must ask for the change again. */
        LinkExpired: {
            headers: {
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/link_expired",
                 *       "title": "Link expired",
                 *       "status": 410,
                 *       "detail": "this link has expired; ask an administrator to request the change again",
                 *       "code": "link_expired",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `payload_too_large`: the body is over the limit (1 MiB by default). Checked before anything else. */
        PayloadTooLarge: {
            headers: {
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/payload_too_large",
                 *       "title": "Request body too large",
                 *       "status": 413,
                 *       "detail": "the body may be at most 1048576 bytes",
                 *       "code": "payload_too_large",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `rate_limited`: too soon; wait `Retry-After` seconds. */
        RateLimited: {
            headers: {
                "Retry-After": components["headers"]["Retry-After"];
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/rate_limited",
                 *       "title": "Too many requests",
                 *       "status": 429,
                 *       "detail": "a new link was already requested; try again later",
                 *       "code": "rate_limited",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `internal`: our fault. The body has no internal detail; the cause is logged under `request_id`. */
        Internal: {
            headers: {
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/internal",
                 *       "title": "Internal error",
                 *       "status": 500,
                 *       "detail": "An unexpected error occurred. Quote the request id when you report it.",
                 *       "code": "internal",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `unavailable`: a dependency is down or throttling; nothing was changed. Retry after `Retry-After` seconds. */
        Unavailable: {
            headers: {
                "Retry-After": components["headers"]["Retry-After"];
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "https://usher.dev/problems/unavailable",
                 *       "title": "Service temporarily unavailable",
                 *       "status": 503,
                 *       "detail": "A service Usher depends on is unavailable or throttling; nothing was changed. Try again shortly.",
                 *       "code": "unavailable",
                 *       "request_id": "8d6f3b1e-3c1a-4a4e-9a0e-2b7c9d1f0a11"
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description `method_not_allowed`: the path exists but does not accept this method; `Allow` lists
         *     the methods it accepts. Every path answers it for a method not documented on it.
         *     Declared on every operation because a documented call can get it too: a literal
         *     segment is never a parameter (`DELETE .../members/export` is not `removeMember` with
         *     the user id `export`), and a deployment older than the client may have the path
         *     without this method yet.
         */
        MethodNotAllowed: {
            headers: {
                Allow: components["headers"]["Allow"];
                "x-request-id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: {
        /** @description The tenant's id. A malformed id is `404`. */
        TenantId: components["schemas"]["TenantId"];
        /** @description One of the tenant's domains (any case; IDNA). An unknown or malformed one is `404`. */
        DomainName: string;
        /** @description The join request's id. A malformed id is `404`. */
        JoinRequestId: string;
        /** @description The invitation's id. A malformed id is `404`. */
        InvitationId: components["schemas"]["InvitationId"];
        /** @description The member's user id. A malformed id is `404`. */
        UserId: components["schemas"]["UserId"];
        /** @description The export's id, from the `202` of `exportMembers`. A malformed id is `404`. */
        ExportId: components["schemas"]["ExportId"];
        /** @description The role's name (percent-decoded). */
        RoleNameParam: components["schemas"]["RoleName"];
        /**
         * @description The workspace's id (percent-decoded): 1 to 64 letters, digits, `-`, `_` or `.`. A
         *     malformed id is `400` on `PUT` (field `workspaceId`, code `invalid_workspace`) and
         *     `404` on `DELETE`.
         */
        WorkspaceIdParam: components["schemas"]["WorkspaceId"];
        /** @description Page size, a whole number (no fraction, `56.0` is refused) from 1 to 100. */
        Limit: number;
        /** @description The `next_cursor` of the previous page of this listing. Opaque; an empty one is `400 invalid_request` (`invalid_cursor`). */
        Cursor: string;
        /**
         * @description Makes the write safe to retry: within 24 h the same key with the same request returns
         *     the first response (with `idempotent-replayed: true`) and does nothing again; with
         *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
         *     (a UUID is a good choice).
         * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
         */
        IdempotencyKey: string;
    };
    requestBodies: never;
    headers: {
        /** @description The request's id; quote it when reporting a problem. */
        "X-Request-Id": string;
        /** @description Present (`true`) when this is the stored response of an earlier request with the same `Idempotency-Key`. */
        "Idempotent-Replayed": "true";
        /** @description The new invitation's path, `/v1/tenants/{tenantId}/invitations/{invitationId}` (not repeated on an idempotent replay). */
        Location: string;
        /**
         * @description The queued export's status route, `/v1/tenants/{tenantId}/exports/{exportId}`.
         * @example /v1/tenants/ten_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b/exports/0190b4a1c2d37e8f9a0b1c2d3e4f5a6e
         */
        ExportLocation: string;
        /**
         * @description `attachment; filename="members-{tenantId}-{YYYY-MM-DD}.{csv|xlsx}"`.
         * @example attachment; filename="members-ten_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b-2026-01-31.csv"
         */
        "Content-Disposition": string;
        /** @description Seconds to wait before trying again. */
        "Retry-After": number;
        /** @description The authentication scheme to use. */
        "WWW-Authenticate": "Bearer realm=\"usher\"";
        /**
         * @description The methods the path accepts.
         * @example GET, POST
         */
        Allow: string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listInvitations: {
        parameters: {
            query?: {
                status?: components["schemas"]["InvitationStatus"];
                /** @description Prefix of the invitee's email (trimmed, compared lower-case). */
                email?: string;
                role?: components["schemas"]["RoleName"];
                /** @description Page size, a whole number (no fraction, `56.0` is refused) from 1 to 100. */
                limit?: components["parameters"]["Limit"];
                /** @description The `next_cursor` of the previous page of this listing. Opaque; an empty one is `400 invalid_request` (`invalid_cursor`). */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of invitations. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InvitationPage"];
                };
            };
            /** @description `invalid_request`: a bad `status` (`invalid_status`), `role`, `limit` (`out_of_range`) or `cursor` (`invalid_cursor`). */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `invitations.read`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createInvitation: {
        parameters: {
            query?: {
                /** @description For a `text/csv` or XLSX upload, `true` reviews it without writing (JSON bodies say `dry_run` in the body). */
                dry_run?: "true" | "false" | "1" | "0";
            };
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example email,role,first_name,last_name
                 *     ada@example.com,admin,Ada,Lovelace
                 */
                "text/csv": Blob;
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": Blob;
                /**
                 * @example {
                 *       "email": "ada@example.com",
                 *       "role": "admin",
                 *       "workspaces": [
                 *         "north"
                 *       ],
                 *       "profile": {
                 *         "first_name": "Ada",
                 *         "last_name": "Lovelace",
                 *         "company": "Analytical Engines Ltd"
                 *       },
                 *       "locale": "en",
                 *       "expires_in_days": 7,
                 *       "message": "Welcome aboard!",
                 *       "notifications": {
                 *         "weekly_summary": true,
                 *         "weekly_summary_workspaces": [
                 *           "north"
                 *         ]
                 *       },
                 *       "record_owner": true,
                 *       "metadata": {
                 *         "crm_contact_id": "0031x00000AbCdE"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["InviteRequest"] | components["schemas"]["BulkInviteRequest"];
            };
        };
        responses: {
            /** @description A bulk call's report (one result per row, in order), as JSON or, with `Accept: text/csv`, as CSV. */
            200: {
                headers: {
                    /** @description With the CSV report only: `attachment; filename="invitations-report.csv"` (`invitations-review.csv` on a dry run). */
                    "Content-Disposition"?: "attachment; filename=\"invitations-report.csv\"" | "attachment; filename=\"invitations-review.csv\"";
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkReport"];
                    "text/csv": string;
                };
            };
            /** @description The invitation, created, its email queued (`delivery.status` is `pending`; the delivery worker sends it right after). */
            201: {
                headers: {
                    Location: components["headers"]["Location"];
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no `invitations.create`), `role_not_grantable` or `domain_not_allowed` (the address is outside the tenant's `allowed_domains`). */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `already_invited`, `already_member`, `seat_limit_reached` or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    resendInvitation: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The invitation's id. A malformed id is `404`. */
                invitationId: components["parameters"]["InvitationId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The invitation with its new expiry and delivery state. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            /** @description `invalid_request`: only for a malformed `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no `invitations.resend`), `role_not_grantable`, or `domain_not_allowed` (the address is outside the tenant's `allowed_domains` now). */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state`, `already_invited`, `already_member`, `seat_limit_reached` or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getInvitation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The invitation's id. A malformed id is `404`. */
                invitationId: components["parameters"]["InvitationId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The invitation. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `invitations.read`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    revokeInvitation: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The invitation's id. A malformed id is `404`. */
                invitationId: components["parameters"]["InvitationId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The invitation, now `revoked`. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            /** @description `invalid_request`: only for a malformed `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `invitations.revoke`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (not pending) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateInvitation: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The invitation's id. A malformed id is `404`. */
                invitationId: components["parameters"]["InvitationId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "role": "member",
                 *       "workspaces": [
                 *         "north",
                 *         "south"
                 *       ],
                 *       "profile": {
                 *         "employee_number": "E-1815",
                 *         "company": ""
                 *       },
                 *       "notifications": {
                 *         "weekly_summary": true,
                 *         "weekly_summary_workspaces": [
                 *           "south"
                 *         ]
                 *       },
                 *       "record_owner": true,
                 *       "metadata": {
                 *         "crm_contact_id": "0031x00000AbCdE"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["InvitationPatch"];
            };
        };
        responses: {
            /** @description The invitation, as it now is (same link, same expiry). */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Invitation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no `invitations.create`) or `role_not_grantable` (the old or the new role carries a permission the caller lacks). */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (not pending) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listMembers: {
        parameters: {
            query?: {
                role?: components["schemas"]["RoleName"];
                /** @description Prefix of a name, username or email (trimmed, case-insensitive). */
                q?: string;
                /** @description Page size, a whole number (no fraction, `56.0` is refused) from 1 to 100. */
                limit?: components["parameters"]["Limit"];
                /** @description The `next_cursor` of the previous page of this listing. Opaque; an empty one is `400 invalid_request` (`invalid_cursor`). */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of members, the seats and the count per role. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MembersPage"];
                };
            };
            /** @description `invalid_request`: a bad `role`, `limit` or `cursor`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `members.read`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    exportMembers: {
        parameters: {
            query?: {
                /** @description File format (case-insensitive). */
                format?: "csv" | "xlsx";
                /** @description `invitations` adds one row per pending invitation (status `pending_activation`); empty is the same as absent. */
                include?: "invitations" | "";
            };
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file. */
            200: {
                headers: {
                    "Content-Disposition": components["headers"]["Content-Disposition"];
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": Blob;
                    /**
                     * @example id,name,username,role,email,phone,last_login,employee_number,company,created,updated,status
                     *     usr_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b,Ada Lovelace,ada,admin,ada@example.com,'+44 20 7946 0000,2026-01-05T09:12:44Z,E-1815,Analytical Engines Ltd,2026-01-02T10:00:00Z,2026-01-05T09:12:44Z,active
                     */
                    "text/csv": string;
                };
            };
            /**
             * @description The tenant has more rows than the direct-export limit: the export is queued. Follow
             *     `Location` (`getExport`) until `status` is `ready` (then `url` downloads the file)
             *     or `failed`.
             */
            202: {
                headers: {
                    Location: components["headers"]["ExportLocation"];
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0190b4a1c2d37e8f9a0b1c2d3e4f5a6e",
                     *       "status": "queued",
                     *       "format": "csv",
                     *       "created_at": "2026-01-31T10:00:00Z",
                     *       "expires_at": "2026-02-01T10:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["ExportStatus"];
                };
            };
            /** @description `invalid_request`: `format` (`unsupported_format`) or `include` (`unsupported_include`) not one of the listed values. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `members.export`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getExport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The export's id, from the `202` of `exportMembers`. A malformed id is `404`. */
                exportId: components["parameters"]["ExportId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export's status. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "0190b4a1c2d37e8f9a0b1c2d3e4f5a6e",
                     *       "status": "ready",
                     *       "format": "xlsx",
                     *       "rows": 120000,
                     *       "bytes": 7340032,
                     *       "url": "https://usher-prod-exports-123456789012-eu-west-1.s3.eu-west-1.amazonaws.com/exports/ten_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b/0190b4a1c2d37e8f9a0b1c2d3e4f5a6e.xlsx?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900",
                     *       "url_expires_at": "2026-01-31T10:17:00Z",
                     *       "created_at": "2026-01-31T10:00:00Z",
                     *       "expires_at": "2026-02-01T10:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["ExportStatus"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `members.export`. */
            403: components["responses"]["Forbidden"];
            /** @description `not_found`: no such export in this tenant (unknown, expired, another tenant's, a malformed id), or not a tenant the caller belongs to. */
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    removeMember: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The member's user id. A malformed id is `404`. */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "confirm_email": "ada@example.com"
                 *     }
                 */
                "application/json": components["schemas"]["RemoveMemberRequest"];
            };
        };
        responses: {
            /** @description Removed. */
            204: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no `members.remove`) or `role_not_grantable`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (the last owner) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateMember: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The member's user id. A malformed id is `404`. */
                userId: components["parameters"]["UserId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MemberPatch"];
            };
        };
        responses: {
            /** @description The member, as it now is (after an address request, with `pending_email`). */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Member"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no `members.update`, or an `email` change on oneself), `role_not_grantable` or `domain_not_allowed` (the new `email` is outside the tenant's `allowed_domains`). */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (the last owner), `already_member` or `already_invited` (the new `email` is a member's, or has a pending invitation in the tenant) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listMyInvitations: {
        parameters: {
            query?: {
                /** @description Page size, a whole number (no fraction, `56.0` is refused) from 1 to 100. */
                limit?: components["parameters"]["Limit"];
                /** @description The `next_cursor` of the previous page of this listing. Opaque; an empty one is `400 invalid_request` (`invalid_cursor`). */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the caller's pending invitations. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MyInvitationPage"];
                };
            };
            /** @description `invalid_request`: a bad `limit` or `cursor`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: the sign-in has no verified email. */
            403: components["responses"]["Forbidden"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listMyTenants: {
        parameters: {
            query?: {
                /** @description Page size, a whole number (no fraction, `56.0` is refused) from 1 to 100. */
                limit?: components["parameters"]["Limit"];
                /** @description The `next_cursor` of the previous page of this listing. Opaque; an empty one is `400 invalid_request` (`invalid_cursor`). */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of the caller's tenants. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MyTenantPage"];
                };
            };
            /** @description `invalid_request`: a bad `limit` or `cursor`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    leaveTenant: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Left. */
            204: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `invalid_request`: only for a malformed `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (the last owner) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    recordSignIn: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Recorded (or the sign-in of the last minute). */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        tenant_id: components["schemas"]["TenantId"];
                        last_login_at: components["schemas"]["Timestamp"];
                    };
                };
            };
            /** @description `invalid_request`: only for a malformed `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    keepUserinfo: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "access_token": "Xk4vQ2..."
                 *     }
                 */
                "application/json": {
                    /** @description The access token of the sign-in that gave the Bearer ID token. */
                    access_token: string;
                };
            };
        };
        responses: {
            /** @description What userinfo said, now kept for the caller's subject. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "email": "ada@example.com",
                     *       "email_verified": true,
                     *       "name": "Ada Lovelace"
                     *     }
                     */
                    "application/json": {
                        /**
                         * Format: email
                         * @description The email userinfo gave (`null` when none).
                         */
                        email: string | null;
                        /** @description Whether the provider verified it. */
                        email_verified: boolean;
                        /** @description The name userinfo gave (`name`, or `given_name` + `family_name`). */
                        name: string | null;
                    };
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `userinfo_subject_mismatch`: the userinfo answer is about another subject than the ID token. */
            403: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            /** @description `userinfo_not_configured`: no userinfo endpoint is known for the identity provider. */
            501: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description `userinfo_failed`: the provider refused the access token or could not be reached. */
            502: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            503: components["responses"]["Unavailable"];
        };
    };
    lookupInvitation: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenRequest"];
            };
        };
        responses: {
            /** @description What the invitation is. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LookupResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    acceptInvitation: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenRequest"];
            };
        };
        responses: {
            /** @description The membership the invitee now has. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Accepted"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `email_mismatch` (the verified email is not the invited one, or the sign-in has no verified email) or `domain_not_allowed` (the invited address is outside the tenant's `allowed_domains`; the invitation stays pending). */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (the invited role no longer exists) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    declineInvitation: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeclineRequest"];
            };
        };
        responses: {
            /** @description The invitation, declined. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Declined"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `email_mismatch`: the verified email is not the invited one, or the sign-in has no verified email. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    requestInvitationRenewal: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenRequest"];
            };
        };
        responses: {
            /** @description The request was recorded. */
            202: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RenewalRequested"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (the link still works) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            /** @description `invitation_revoked`, `invitation_used` or `invitation_declined`. */
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    confirmEmailChange: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "Vb8s2Qx0LmT4nZ7rK1yH9cW3eF6gJ5dA_pU-oI2sN0E"
                 *     }
                 */
                "application/json": components["schemas"]["EmailChangeConfirmRequest"];
            };
        };
        responses: {
            /** @description The member, with their new address. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "user_id": "usr_0190b4a1c2d37e8f9a0b1c2d3e4f5a6d",
                     *       "tenant_id": "ten_0190b4a1c2d37e8f9a0b1c2d3e4f5a6b",
                     *       "email": "ada.lovelace@example.org",
                     *       "name": "Ada Lovelace",
                     *       "username": "ada",
                     *       "role": "member",
                     *       "workspaces": [
                     *         "north"
                     *       ],
                     *       "profile": {
                     *         "first_name": "Ada",
                     *         "last_name": "Lovelace"
                     *       },
                     *       "notifications": {
                     *         "weekly_summary": false,
                     *         "weekly_summary_workspaces": [],
                     *         "new_messages": true,
                     *         "renewal_requests": true
                     *       },
                     *       "record_owner": false,
                     *       "metadata": {},
                     *       "locale": "en",
                     *       "last_login_at": "2026-01-12T08:30:00Z",
                     *       "created_at": "2026-01-02T10:05:00Z",
                     *       "updated_at": "2026-01-12T08:31:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Member"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: the caller is not the member whose address changes (an admin included). */
            403: components["responses"]["Forbidden"];
            /** @description `not_found`: no pending change has this link (unknown, replaced by a newer request, already used, called off, or expired and forgotten). */
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `already_member` or `already_invited` (the new address became a member's, or got a pending invitation in the tenant, since the request) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            410: components["responses"]["LinkExpired"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createTenant: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "Analytical Engines Ltd",
                 *       "owner_email": "charles@example.com",
                 *       "seat_limit": 25,
                 *       "invitation_ttl_days": 14
                 *     }
                 */
                "application/json": components["schemas"]["NewTenant"];
            };
        };
        responses: {
            /** @description The tenant. */
            201: {
                headers: {
                    /** @description The new tenant's path, `/v1/tenants/{tenantId}` (not repeated on an idempotent replay). */
                    Location?: string;
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: the caller is not an operator. */
            403: components["responses"]["Forbidden"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getTenant: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tenant, with its seats and members per role. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: the caller is not an operator. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateTenant: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "seat_limit": 50
                 *     }
                 */
                "application/json": components["schemas"]["TenantPatch"];
            };
        };
        responses: {
            /** @description The tenant, as it now is. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: the caller is not an operator. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getTenantSettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tenant, with its seats and members per role. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateTenantSettings: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "Acme Corp",
                 *       "invitation_ttl_days": 14,
                 *       "allowed_domains": [
                 *         "acme.example",
                 *         "acme-labs.example"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["TenantPatch"];
            };
        };
        responses: {
            /** @description The tenant, as it now is. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: not an owner, or a person changing the seat limit. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listRoles: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All roles. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoleList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getRole: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The role's name (percent-decoded). */
                name: components["parameters"]["RoleNameParam"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The role. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Role"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    putRole: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The role's name (percent-decoded). */
                name: components["parameters"]["RoleNameParam"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "permissions": [
                 *         "members.read",
                 *         "members.export"
                 *       ],
                 *       "description": "Reads and exports the people list."
                 *     }
                 */
                "application/json": components["schemas"]["RoleRequest"];
            };
        };
        responses: {
            /** @description The role, replaced. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Role"];
                };
            };
            /** @description The role, created. */
            201: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Role"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no `roles.manage`) or `role_not_grantable`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (a built-in name) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteRole: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The role's name (percent-decoded). */
                name: components["parameters"]["RoleNameParam"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `invalid_request`: only for a malformed `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `roles.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (built-in, or held by members) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listWorkspaces: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All workspaces. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "data": [
                     *         {
                     *           "id": "north",
                     *           "name": "North depot",
                     *           "default": true
                     *         },
                     *         {
                     *           "id": "south",
                     *           "name": "South depot",
                     *           "default": false
                     *         }
                     *       ]
                     *     }
                     */
                    "application/json": components["schemas"]["WorkspaceList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    putWorkspace: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /**
                 * @description The workspace's id (percent-decoded): 1 to 64 letters, digits, `-`, `_` or `.`. A
                 *     malformed id is `400` on `PUT` (field `workspaceId`, code `invalid_workspace`) and
                 *     `404` on `DELETE`.
                 */
                workspaceId: components["parameters"]["WorkspaceIdParam"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "name": "North depot",
                 *       "default": true
                 *     }
                 */
                "application/json": components["schemas"]["WorkspaceRequest"];
            };
        };
        responses: {
            /** @description The workspace, changed (or unchanged, when the body changes nothing). */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workspace"];
                };
            };
            /** @description The workspace, created. */
            201: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "north",
                     *       "name": "North depot",
                     *       "default": true
                     *     }
                     */
                    "application/json": components["schemas"]["Workspace"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `roles.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (the tenant already has 200 workspaces) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteWorkspace: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /**
                 * @description The workspace's id (percent-decoded): 1 to 64 letters, digits, `-`, `_` or `.`. A
                 *     malformed id is `400` on `PUT` (field `workspaceId`, code `invalid_workspace`) and
                 *     `404` on `DELETE`.
                 */
                workspaceId: components["parameters"]["WorkspaceIdParam"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `invalid_request`: only for a malformed `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `roles.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (members or pending invitations still have it; the detail says how many of each) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listAuditEvents: {
        parameters: {
            query?: {
                /** @description Page size, a whole number (no fraction, `56.0` is refused) from 1 to 100. */
                limit?: components["parameters"]["Limit"];
                /** @description The `next_cursor` of the previous page of this listing. Opaque; an empty one is `400 invalid_request` (`invalid_cursor`). */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of audit events. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            /** @description `invalid_request`: a bad `limit` or `cursor`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `audit.read`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listDirectoryPeople: {
        parameters: {
            query?: {
                q?: string;
                company?: string;
                title?: string;
                department?: string;
                status?: "not_invited" | "invited" | "member" | "inactive";
                /** @description Page size, a whole number (no fraction, `56.0` is refused) from 1 to 100. */
                limit?: components["parameters"]["Limit"];
                /** @description The `next_cursor` of the previous page of this listing. Opaque; an empty one is `400 invalid_request` (`invalid_cursor`). */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of directory people. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DirectoryPersonPage"];
                };
            };
            /** @description `invalid_request`: a bad `status`, `limit` or `cursor`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `invitations.create`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listDirectoryCompanies: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The companies. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CompanyList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `invitations.create`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    uploadDirectory: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": Blob;
                /**
                 * @example external_id,email,first_name,last_name,title,department,company
                 *     E-1,ada@example.com,Ada,Lovelace,Engineer,R&D,Acme North
                 */
                "text/csv": Blob;
            };
        };
        responses: {
            /** @description What the upload did. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DirectoryUploadSummary"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `directory.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (another upload is running) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getDirectorySettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The settings. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DirectorySettings"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `directory.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateDirectorySettings: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "provisioning": "invite",
                 *       "group_roles": {
                 *         "Engineering Leads": "admin",
                 *         "Everyone": "member"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["DirectorySettingsPatch"];
            };
        };
        responses: {
            /** @description The settings, changed. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DirectorySettings"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no `directory.manage`) or `role_not_grantable`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listScimTokens: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tokens. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScimTokenList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `directory.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createScimToken: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "name": "Okta production"
                 *     }
                 */
                "application/json": components["schemas"]["ScimTokenRequest"];
            };
        };
        responses: {
            /** @description The token, created. */
            201: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ScimTokenCreated"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `directory.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (the tenant holds 10 tokens) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    revokeScimToken: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                tokenId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked. */
            204: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `invalid_request`: only for a malformed `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `directory.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listJoinLinks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The links. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinLinkList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `invitations.create`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createJoinLink: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "role": "member",
                 *       "max_uses": 25,
                 *       "expires_in_days": 7,
                 *       "allowed_domains": [
                 *         "acme.com"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["JoinLinkRequest"];
            };
        };
        responses: {
            /** @description The link, created. */
            201: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinLinkCreated"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no `invitations.create`) or `role_not_grantable`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    disableJoinLink: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                linkId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link, disabled. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinLink"];
                };
            };
            /** @description `invalid_request`: only for a malformed `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `invitations.create`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (already disabled) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    lookupJoinLink: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["JoinTokenRequest"];
            };
        };
        responses: {
            /** @description What the link is. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinLinkLookup"];
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    redeemJoinLink: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["JoinTokenRequest"];
            };
        };
        responses: {
            /** @description The caller is a member now (`outcome` is `joined`). */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinLinkRedeemed"];
                };
            };
            /** @description A join request waits for an admin (`outcome` is `requested`). */
            202: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinLinkRedeemed"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no verified email) or `domain_not_allowed`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `already_member`, `already_invited`, `seat_limit_reached`, `invalid_state` (the role it gives was deleted) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            410: components["responses"]["JoinLinkGone"];
            413: components["responses"]["PayloadTooLarge"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listJoinRequests: {
        parameters: {
            query?: {
                status?: components["schemas"]["JoinRequestStatus"];
                /** @description Page size, a whole number (no fraction, `56.0` is refused) from 1 to 100. */
                limit?: components["parameters"]["Limit"];
                /** @description The `next_cursor` of the previous page of this listing. Opaque; an empty one is `400 invalid_request` (`invalid_cursor`). */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of requests. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinRequestPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `invitations.create`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    approveJoinRequest: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The join request's id. A malformed id is `404`. */
                requestId: components["parameters"]["JoinRequestId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Approved; the new membership. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinRequestApproved"];
                };
            };
            /** @description `invalid_request`: only for a malformed `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`, `role_not_grantable` or `domain_not_allowed` (the tenant's policy changed). */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `seat_limit_reached`, `already_member`, `already_invited`, `invalid_state` or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    denyJoinRequest: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description The join request's id. A malformed id is `404`. */
                requestId: components["parameters"]["JoinRequestId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Denied. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    "idempotent-replayed": components["headers"]["Idempotent-Replayed"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinRequest"];
                };
            };
            /** @description `invalid_request`: only for a malformed `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `invitations.create`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listMyJoinRequests: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The requests. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MyJoinRequestList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: the route is for signed-in people. */
            403: components["responses"]["Forbidden"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listDomains: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The domains. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DomainList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `directory.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    addDomain: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "domain": "acme.com"
                 *     }
                 */
                "application/json": components["schemas"]["DomainRequest"];
            };
        };
        responses: {
            /** @description The domain, pending. */
            201: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Domain"];
                };
            };
            /** @description `invalid_request` (not a domain) or `consumer_domain`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `directory.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `domain_taken` (another tenant verified it), `invalid_state` (added already, or 50 domains) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    removeDomain: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description One of the tenant's domains (any case; IDNA). An unknown or malformed one is `404`. */
                domain: components["parameters"]["DomainName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed. */
            204: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `invalid_request`: a bad `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `directory.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    updateDomain: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description One of the tenant's domains (any case; IDNA). An unknown or malformed one is `404`. */
                domain: components["parameters"]["DomainName"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "join": "auto",
                 *       "join_role": "member"
                 *     }
                 */
                "application/json": components["schemas"]["DomainPolicy"];
            };
        };
        responses: {
            /** @description The domain with its new policy. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Domain"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no `directory.manage`) or `role_not_grantable`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `invalid_state` (the domain is not verified yet) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    verifyDomain: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
                /** @description One of the tenant's domains (any case; IDNA). An unknown or malformed one is `404`. */
                domain: components["parameters"]["DomainName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The domain after the lookup. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Domain"];
                };
            };
            /** @description `invalid_request`: a bad `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: no `directory.manage`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `domain_taken` (another tenant verified the domain) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listJoinableTenants: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tenants. */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinableTenantList"];
                };
            };
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden`: the route is for signed-in people. */
            403: components["responses"]["Forbidden"];
            405: components["responses"]["MethodNotAllowed"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    joinTenantByDomain: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Makes the write safe to retry: within 24 h the same key with the same request returns
                 *     the first response (with `idempotent-replayed: true`) and does nothing again; with
                 *     another request it is `409 idempotency_conflict`. 1 to 255 visible ASCII characters
                 *     (a UUID is a good choice).
                 * @example 5f0c6d8e-8b1f-4f7e-9a55-0c2f3f0f4e21
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path: {
                /** @description The tenant's id. A malformed id is `404`. */
                tenantId: components["parameters"]["TenantId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller is a member now (`outcome` is `joined`). */
            200: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinLinkRedeemed"];
                };
            };
            /** @description A join request waits for an admin (`outcome` is `requested`). */
            202: {
                headers: {
                    "x-request-id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JoinLinkRedeemed"];
                };
            };
            /** @description `invalid_request`: a bad `Idempotency-Key`. */
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthenticated"];
            /** @description `forbidden` (no verified email) or `domain_not_allowed`. */
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            405: components["responses"]["MethodNotAllowed"];
            /** @description `already_member`, `already_invited`, `seat_limit_reached`, `invalid_state` (the join role was deleted) or `idempotency_conflict`. */
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    usherEvent: {
        parameters: {
            query?: never;
            header: {
                /** @description The event's `id`, the same on every retry of it (dedupe by it). */
                "webhook-id": string;
                /**
                 * @description When this attempt was signed, in unix seconds (changes on every retry).
                 * @example 1767348001
                 */
                "webhook-timestamp": string;
                /**
                 * @description Space-separated signatures, each `v1,<base64 of HMAC-SHA256 of
                 *     "<webhook-id>.<webhook-timestamp>.<body>">` (one per secret in use; more may be
                 *     added while a secret is rotated).
                 * @example v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=
                 */
                "webhook-signature": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CloudEvent"];
            };
        };
        responses: {
            /** @description Delivered; the event is not sent again. */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not delivered (so is no answer within 10 seconds); retried on the schedule above, then parked. */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
