// Strings in English, French and German. The language comes from a choice made with the picker
// (kept in localStorage: a preference, not a credential), else navigator.languages; <html lang>
// follows it.

export const LANGS = ["en", "fr", "de"];

const en = {
  "lang.en": "English", "lang.fr": "Français", "lang.de": "Deutsch",
  "common.language": "Language", "common.loading": "Loading…", "common.load_more": "Load more", "common.retry": "Try again",
  "common.cancel": "Cancel", "common.save": "Save changes", "common.edit": "Edit", "common.delete": "Delete",
  "common.optional": "Optional", "common.skip": "Skip to content", "common.error_title": "Something went wrong",

  "auth.email": "Email", "auth.name": "Your name", "auth.name_hint": "Optional; shown to the people you invite.",
  "auth.sign_in": "Sign in", "auth.sign_out": "Sign out", "auth.signed_in_as": "Signed in as {email}.",
  "auth.use_another": "Use another account", "auth.sign_in_other": "Sign in with another account",
  "auth.dev_note": "Development sign-in: no password is asked for. In production this is your identity provider's sign-in.",
  "auth.session_expired": "Your session ended. Sign in again to continue.",
  "auth.oidc_note": "You sign in on your organisation's sign-in page, then come back here.",
  "auth.oidc_redirecting": "Taking you to the sign-in page…", "auth.oidc_finishing": "Finishing signing in…",
  "auth.oidc_denied": "Sign-in was cancelled: the identity provider did not sign you in. You can try again.",
  "auth.oidc_refused": "The identity provider could not sign you in ({code}). You can try again.",
  "auth.oidc_state": "This sign-in was refused: it does not match the one started in this tab (an old or altered link). You are not signed in; please sign in again.",
  "auth.oidc_failed": "Sign-in could not be completed. Please try again.",
  "auth.oidc_network": "The identity provider could not be reached to finish signing in. Check your connection and try again.",
  "auth.oidc_exchange": "The identity provider refused to complete the sign-in ({code}). Please sign in again.",
  "auth.oidc_unverified": "The identity provider's answer could not be checked, so it was not used. Please sign in again.",
  "auth.oidc_insecure": "Sign-in needs a secure connection (https). Open this page at its https address.",
  "auth.unconfigured_title": "Sign-in is not set up for this deployment.",
  "auth.unconfigured_body": "Whoever runs this service still has to set the stack's PublicUrl parameter (and, with an external identity provider, its authorization and token endpoints); see the deployment section of the README. Until then, nobody can sign in here.",

  "role.owner": "Owner", "role.admin": "Admin", "role.member": "Member", "role.viewer": "Viewer",
  "status.member": "Member", "status.pending_activation": "Pending activation", "status.expired": "Expired",
  "status.declined": "Declined", "status.revoked": "Revoked", "status.accepted": "Accepted",

  "accept.doc_title": "Your invitation · Usher", "accept.loading": "Checking your invitation…",
  "accept.title": "Join {tenant}", "accept.summary": "{inviter} invited you to join {tenant} as {role}.",
  "accept.someone": "Someone", "accept.invited_by": "Invited by", "accept.role": "Role", "accept.sent_to": "Sent to",
  "accept.expires": "Link valid until", "accept.expired_on": "Link expired on",
  "accept.sign_in_title": "Sign in to answer", "accept.sign_in_intro": "Sign in with the address this invitation was sent to ({email}).",
  "accept.accept": "Accept invitation", "accept.decline": "Decline",
  "accept.decline_title": "Decline the invitation to {tenant}?", "accept.decline_body": "The person who invited you will see that you declined. You can tell them why.",
  "accept.decline_reason": "Reason", "accept.decline_confirm": "Decline invitation",
  "accept.declined_title": "Invitation declined", "accept.declined_body": "You declined the invitation to {tenant}. Nothing else will happen.",
  "accept.joined": "You joined {tenant}", "accept.joined_body": "You are now a member, with the role {role}.",
  "accept.open_console": "Open the console",
  "accept.expired_title": "This invitation has expired", "accept.expired_body": "The link to join {tenant} is no longer valid. You can ask {inviter} for a new one.",
  "accept.ask_new_link": "Ask for a new link", "accept.renewal_sent_title": "New link requested",
  "accept.renewal_sent": "We asked {inviter} to send you a new link. It will arrive by email.",
  "accept.renewal_already": "A new link was already requested recently. Please wait for the email.",
  "accept.replaced_title": "A newer link was sent", "accept.replaced_body": "This link was replaced by a newer invitation to {tenant}. Please use the newest email you received.",
  "accept.revoked_title": "This invitation was withdrawn", "accept.revoked_body": "{inviter} withdrew the invitation to {tenant}. Contact them if you think this is a mistake.",
  "accept.used_title": "This invitation was already accepted", "accept.used_body": "If it was you, you already have access: open the console.",
  "accept.declined_state_title": "This invitation was declined", "accept.declined_state_body": "The invitation to {tenant} was declined and can no longer be used. Ask for a new invitation if you changed your mind.",
  "accept.unknown_title": "We can't find this invitation", "accept.unknown_body": "The link is incomplete or no longer exists. Open the link from your email again, or ask for a new invitation.",
  "accept.mismatch_title": "This invitation is for another address",
  "accept.looks_other": "This invitation was sent to {invited}, which does not look like {email}. Accepting only works with the invited address.",
  "accept.mismatch_body": "You are signed in as {email}, but this invitation was sent to {invited}. Sign in with that address to accept it.",

  "confirm.doc_title": "Confirm your new address · Usher", "confirm.title": "Confirm your new email address",
  "confirm.intro": "An administrator changed the email address of your account. Confirm that this new address is yours.",
  "confirm.sign_in_intro": "Sign in to your account (with your current address) to confirm.",
  "confirm.confirm": "Confirm new address", "confirm.done_title": "Address confirmed",
  "confirm.done_body": "Your account now uses {email}.",
  "confirm.expired_title": "This link has expired", "confirm.expired_body": "Confirmation links work for 7 days. Ask an administrator to request the change again.",
  "confirm.unknown_title": "This link is not valid", "confirm.unknown_body": "It was replaced by a newer one, already used, or called off. Use the newest email you received.",
  "confirm.wrong_title": "This change is for another account", "confirm.wrong_body": "You are signed in as {email}, which is not the account whose address changes.",

  "console.doc_title": "Usher console", "console.sign_in_title": "Sign in to Usher", "console.sign_in_body": "Manage the people of your workspace.",
  "console.loading_tenants": "Loading your tenants…", "console.tenant": "Tenant", "console.nav_label": "Console", "console.you": "You",
  "console.no_tenants_title": "You are not in a tenant yet", "console.no_tenants_body": "When you accept an invitation, the tenant appears here.",
  "console.open_by_id": "Open a tenant by id", "console.open_by_id_hint": "If you just joined, it can take a moment to show up.", "console.open": "Open",
  "console.no_access_title": "You don't have access to this page", "console.no_access_body": "Your role in this tenant does not allow it.",

  "nav.people": "People", "nav.invite": "Invite people", "nav.bulk": "Bulk invite", "nav.roles": "Roles", "nav.workspaces": "Workspaces",
  "nav.audit": "Audit log", "nav.my_invitations": "My invitations",

  "form.email": "Email", "form.role": "Role", "form.workspaces": "Workspaces", "form.locale": "Language",
  "form.locale_hint": "Language of the invitation email.",
  "form.first_name": "First name", "form.last_name": "Last name", "form.phone": "Phone", "form.employee_number": "Employee number", "form.company": "Company",
  "form.workspaces_default_hint": "None selected: the tenant's default workspaces.", "form.workspaces_free_hint": "Separate names with commas.",
  "form.notifications": "Notifications", "form.notify_weekly": "Weekly summary", "form.notify_messages": "New messages", "form.notify_renewals": "Renewal requests",
  "form.record_owner": "Record owner", "form.record_owner_hint": "Records in the application may be assigned to this person.",
  "form.fix_fields": "Some fields need attention.",

  "invite.title": "Invite people", "invite.lede": "Send an invitation to join {tenant}.", "invite.who": "Who",
  "invite.email": "Email", "invite.access": "Access", "invite.email_section": "Invitation email",
  "invite.message": "Personal message", "invite.expiry_days": "Link valid for (days)", "invite.expiry_hint": "Leave empty for the tenant's default ({days} days).",
  "invite.send": "Send invitation", "invite.many": "Invite many people", "invite.sent": "Invitation sent to {email} as {role}.", "invite.see_people": "See people",

  "people.title": "People", "people.lede": "Members and invitations of {tenant}.",
  "people.usage": "License usage", "people.seats_used": "{used} of {limit} seats", "people.seats_unlimited": "{used} seats used (no limit)",
  "people.seats_detail": "{members} members · {pending} pending · {available} available",
  "people.seats_aria": "{members} members and {pending} pending invitations; {available} seats available",
  "people.by_role": "Members by role",
  "people.search": "Search", "people.search_placeholder": "Name or email…", "people.all_roles": "All roles", "people.status": "Status", "people.status_all": "Members and waiting invitations",
  "people.col_person": "Person", "people.col_last_login": "Last login", "people.col_actions": "Actions", "people.actions_for": "Actions for {email}", "people.never": "Never",
  "people.none": "No people yet", "people.none_match": "Nobody matches these filters", "people.none_hint": "Invite someone to get started.",
  "people.showing": "{n} shown", "people.expires": "expires {date}", "people.delivery_failed": "email not delivered yet", "people.delivery_bounced": "email bounced: check the address", "people.delivery_complained": "marked as spam by the recipient", "people.renewal_requested": "asked for a new link",
  "people.resend": "Resend", "people.resent": "A new link was sent to {email}.",
  "people.revoke": "Revoke", "people.revoke_title": "Revoke this invitation?", "people.revoke_body": "The link sent to {email} will stop working and the seat is freed.", "people.revoked": "The invitation to {email} was revoked.",
  "people.change_role": "Change role", "people.change_role_title": "Change role", "people.change_role_body": "Choose the role of {email}.", "people.role_changed": "{email} is now {role}.",
  "people.edit": "Edit", "people.edit_member_title": "Edit {email}", "people.edit_invitation_title": "Edit the invitation to {email}",
  "people.edit_invitation_hint": "Changes apply to the link already sent; no new email is sent. To change the address, revoke and invite again.",
  "people.email_change_hint": "A new address must be confirmed from a link sent to it.", "people.email_self_hint": "You cannot change your own address here.",
  "people.email_change_pending": "Email change pending: {email}", "people.email_change_sent": "A confirmation link was sent to {email}.", "people.saved": "Changes to {email} saved.",
  "people.delete": "Delete", "people.delete_title": "Delete member", "people.delete_body": "{name} will lose access to this tenant at once. This cannot be undone.",
  "people.delete_type": "To confirm, type the member's email:", "people.delete_label": "Member's email", "people.delete_confirm": "Delete member",
  "people.deleted": "{email} was removed.",
  "people.export_csv": "Export CSV", "people.export_xlsx": "Export Excel", "people.export_done": "Downloaded {name}.",
  "people.export_queued": "The export is large: it is being prepared…", "people.export_ready": "Your export is ready.", "people.export_download": "Download",

  "bulk.title": "Bulk invite", "bulk.lede": "Invite many people at once: paste addresses or a CSV, or upload a CSV or Excel file.",
  "bulk.steps": "Steps", "bulk.step_input": "Add people", "bulk.step_review": "Review", "bulk.step_done": "Sent",
  "bulk.add_title": "Add people", "bulk.paste_label": "Paste emails or CSV",
  "bulk.paste_hint": "One address per line, or CSV with a header row: email, role, first_name, last_name, phone, employee_number, company, workspaces, locale.",
  "bulk.default_role": "Role for new rows", "bulk.add_rows": "Add rows",
  "bulk.upload_label": "Upload a CSV or Excel file", "bulk.upload_hint": ".csv or .xlsx, first sheet, with a header row.",
  "bulk.rows_added": "{n} rows added from {source}.", "bulk.rows_added_one": "1 row added from {source}.", "bulk.source_paste": "the pasted text", "bulk.no_rows": "No rows found.",
  "bulk.nothing_pasted": "Paste some addresses first.", "bulk.unreadable": "{name} could not be read. Save it as CSV or XLSX and try again.",
  "bulk.unknown_columns": "Unknown columns will be ignored: {cols}.",
  "bulk.rows_title": "People to invite", "bulk.no_rows_yet": "No rows yet", "bulk.no_rows_hint": "Paste addresses or upload a file above.",
  "bulk.select_all": "Select all rows", "bulk.select_row": "Select row {n} ({email})", "bulk.role_for_row": "Role for row {n} ({email})",
  "bulk.role_for_selected": "Role for selected rows ({n})", "bulk.apply_role": "Apply to selected", "bulk.remove_selected": "Remove selected", "bulk.clear_rows": "Clear all",
  "bulk.role_applied": "Role {role} set on {n} rows.", "bulk.col_name": "Name", "bulk.no_email": "no email",
  "bulk.review": "Review invitations", "bulk.too_many": "At most {max} rows per upload.",
  "bulk.reviewed": "Review ready: {ok} to send, {errors} with errors.",
  "bulk.review_summary": "Nothing has been sent yet. {ok} invitations are ready; {errors} rows have errors and will be skipped.",
  "bulk.to_send": "Invitations to send", "bulk.sent": "Invitations sent", "bulk.errors": "Invitation errors",
  "bulk.download": "Download report", "bulk.col_row": "Row", "bulk.col_problem": "Problem",
  "bulk.none_to_send": "No invitation to send.", "bulk.no_errors": "No errors.",
  "bulk.back": "Back to edit", "bulk.send": "Send", "bulk.again": "Invite more people",
  "bulk.sent_summary": "{ok} invitations sent; {errors} rows with errors. Emails go out within a minute or two.",

  "bulk.code.invalid_request": "Some fields of this row are not valid.", "bulk.code.duplicate_in_upload": "This address is on an earlier row.",
  "bulk.code.already_invited": "This address already has a pending invitation.", "bulk.code.already_member": "This person is already a member.",
  "bulk.code.role_not_grantable": "You cannot grant this role.", "bulk.code.unknown_role": "This role does not exist.",
  "bulk.code.unknown_workspace": "A workspace of this row does not exist.", "bulk.code.seat_limit_reached": "No seat left.",
  "bulk.code.domain_not_allowed": "This email domain is not allowed.", "bulk.code.unavailable": "Could not be saved; send it again.",

  "roles.title": "Roles", "roles.lede": "Built-in roles and this tenant's own roles.", "roles.new": "New role", "roles.create": "Create role",
  "roles.col_name": "Name", "roles.col_kind": "Kind", "roles.col_permissions": "Permissions", "roles.col_members": "Members",
  "roles.builtin": "Built-in", "roles.custom": "Custom", "roles.no_permissions": "No permission", "roles.description": "Description",
  "roles.name_hint": "Lower-case letters, digits, - and _ (starts with a letter).", "roles.edit_title": "Edit role {name}",
  "roles.saved": "Role {name} saved.", "roles.deleted": "Role {name} deleted.", "roles.delete_title": "Delete this role?",
  "roles.delete_body": "The role {name} will be deleted. Roles held by members cannot be deleted.",

  "ws.title": "Workspaces", "ws.lede": "Sites or projects people may be given access to.", "ws.new": "New workspace", "ws.create": "Create workspace",
  "ws.col_name": "Name", "ws.col_id": "Id", "ws.col_default": "Default", "ws.default": "Default", "ws.default_label": "Given to invitations that name no workspace",
  "ws.id_hint": "1 to 64 letters, digits, -, _ or . (cannot be changed later).", "ws.rename": "Rename", "ws.rename_title": "Rename {name}",
  "ws.none": "No workspaces", "ws.none_hint": "While there are none, workspace names are taken as typed.",
  "ws.saved": "Workspace {name} saved.", "ws.deleted": "Workspace {name} deleted.", "ws.delete_title": "Delete this workspace?",
  "ws.delete_body": "{name} will be deleted. A workspace still used by members or pending invitations cannot be deleted.",

  "audit.title": "Audit log", "audit.lede": "What happened in this tenant, newest first.", "audit.none": "Nothing has happened yet.",
  "audit.when": "When", "audit.what": "Action", "audit.who": "Actor", "audit.target": "Target", "audit.details": "Details",
  "audit.system": "system", "audit.count": "{n} events", "audit.count_one": "1 event",

  "me.title": "My invitations", "me.lede": "Invitations waiting for you, in every tenant.", "me.none": "No pending invitations",
  "me.none_hint": "Invitations sent to your address appear here.", "me.tenant": "Tenant", "me.invited_by": "Invited by", "me.sent": "Sent", "me.expires": "Expires",
  "me.how_to_accept": "To accept, open the link in the invitation email.",

  "err.generic": "Something went wrong. Please try again.", "err.network": "The server cannot be reached. Check your connection and try again.",
  "err.internal": "Something went wrong on our side. If it keeps happening, quote this reference: {id}.",
  "err.export_failed": "The export failed. Please try again.",
  "err.unauthenticated": "Please sign in again.", "err.forbidden": "You are not allowed to do this.",
  "err.email_mismatch": "You are signed in with another address than the invited one.", "err.role_not_grantable": "You cannot grant this role.",
  "err.domain_not_allowed": "This email domain is not allowed in this tenant.", "err.not_found": "Not found.",
  "err.already_invited": "This address already has a pending invitation.", "err.already_member": "This person is already a member.",
  "err.seat_limit_reached": "No seat left: free a seat or upgrade the plan.", "err.idempotency_conflict": "This request is already being processed. Try again shortly.",
  "err.invalid_state": "This is not possible in the current state.", "err.invitation_expired": "This invitation has expired.",
  "err.invitation_revoked": "This invitation was withdrawn.", "err.invitation_used": "This invitation was already used.",
  "err.invitation_declined": "This invitation was declined.", "err.link_expired": "This link has expired.",
  "err.payload_too_large": "This is too large to send at once.", "err.rate_limited": "Too many attempts. Please wait a moment and try again.",
  "err.unavailable": "The service is busy. Nothing was changed; try again shortly.", "err.invalid_request": "Some fields are not valid.",

  "field.required": "This field is required.", "field.invalid_email": "This is not a valid email address.", "field.does_not_match": "This does not match.",
  "field.unknown_role": "This role does not exist.", "field.unknown_workspace": "This workspace does not exist.", "field.out_of_range": "This value is out of range.",
  "field.too_long": "This is too long.", "field.invalid_phone": "Only digits, spaces and + - ( ) . are allowed.", "field.unsupported_locale": "Choose English, French or German.",
  "field.invalid_role": "Lower-case letters, digits, - and _ only.", "field.invalid_workspace": "1 to 64 letters, digits, -, _ or .",
  "field.invalid": "This value is not valid.", "field.invalid_field": "This value is not valid.",
};

const fr = {
  "lang.en": "English", "lang.fr": "Français", "lang.de": "Deutsch",
  "common.language": "Langue", "common.loading": "Chargement…", "common.load_more": "Afficher plus", "common.retry": "Réessayer",
  "common.cancel": "Annuler", "common.save": "Enregistrer", "common.edit": "Modifier", "common.delete": "Supprimer",
  "common.optional": "Facultatif", "common.skip": "Aller au contenu", "common.error_title": "Une erreur s'est produite",

  "auth.email": "E-mail", "auth.name": "Votre nom", "auth.name_hint": "Facultatif ; visible par les personnes que vous invitez.",
  "auth.sign_in": "Se connecter", "auth.sign_out": "Se déconnecter", "auth.signed_in_as": "Connecté en tant que {email}.",
  "auth.use_another": "Utiliser un autre compte", "auth.sign_in_other": "Se connecter avec un autre compte",
  "auth.dev_note": "Connexion de développement : aucun mot de passe n'est demandé. En production, c'est la connexion de votre fournisseur d'identité.",
  "auth.session_expired": "Votre session a pris fin. Reconnectez-vous pour continuer.",
  "auth.oidc_note": "Vous vous connectez sur la page de connexion de votre organisation, puis vous revenez ici.",
  "auth.oidc_redirecting": "Redirection vers la page de connexion…", "auth.oidc_finishing": "Finalisation de la connexion…",
  "auth.oidc_denied": "La connexion a été annulée : le fournisseur d'identité ne vous a pas connecté. Vous pouvez réessayer.",
  "auth.oidc_refused": "Le fournisseur d'identité n'a pas pu vous connecter ({code}). Vous pouvez réessayer.",
  "auth.oidc_state": "Cette connexion a été refusée : elle ne correspond pas à celle lancée dans cet onglet (lien ancien ou modifié). Vous n'êtes pas connecté ; veuillez vous reconnecter.",
  "auth.oidc_failed": "La connexion n'a pas pu aboutir. Veuillez réessayer.",
  "auth.oidc_network": "Le fournisseur d'identité est injoignable pour finaliser la connexion. Vérifiez votre connexion et réessayez.",
  "auth.oidc_exchange": "Le fournisseur d'identité a refusé de finaliser la connexion ({code}). Veuillez vous reconnecter.",
  "auth.oidc_unverified": "La réponse du fournisseur d'identité n'a pas pu être vérifiée ; elle n'a pas été utilisée. Veuillez vous reconnecter.",
  "auth.oidc_insecure": "La connexion nécessite une liaison sécurisée (https). Ouvrez cette page à son adresse https.",
  "auth.unconfigured_title": "La connexion n'est pas configurée pour ce déploiement.",
  "auth.unconfigured_body": "La personne qui exploite ce service doit encore renseigner le paramètre PublicUrl de la pile (et, avec un fournisseur d'identité externe, ses points de terminaison d'autorisation et de jeton) ; voir la section sur le déploiement du README. D'ici là, personne ne peut se connecter ici.",

  "role.owner": "Propriétaire", "role.admin": "Administrateur", "role.member": "Membre", "role.viewer": "Lecteur",
  "status.member": "Membre", "status.pending_activation": "En attente d'activation", "status.expired": "Expirée",
  "status.declined": "Refusée", "status.revoked": "Révoquée", "status.accepted": "Acceptée",

  "accept.doc_title": "Votre invitation · Usher", "accept.loading": "Vérification de votre invitation…",
  "accept.title": "Rejoindre {tenant}", "accept.summary": "{inviter} vous invite à rejoindre {tenant} en tant que {role}.",
  "accept.someone": "Quelqu'un", "accept.invited_by": "Invité par", "accept.role": "Rôle", "accept.sent_to": "Envoyée à",
  "accept.expires": "Lien valable jusqu'au", "accept.expired_on": "Lien expiré le",
  "accept.sign_in_title": "Connectez-vous pour répondre", "accept.sign_in_intro": "Connectez-vous avec l'adresse à laquelle cette invitation a été envoyée ({email}).",
  "accept.accept": "Accepter l'invitation", "accept.decline": "Refuser",
  "accept.decline_title": "Refuser l'invitation à {tenant} ?", "accept.decline_body": "La personne qui vous a invité verra que vous avez refusé. Vous pouvez lui dire pourquoi.",
  "accept.decline_reason": "Raison", "accept.decline_confirm": "Refuser l'invitation",
  "accept.declined_title": "Invitation refusée", "accept.declined_body": "Vous avez refusé l'invitation à {tenant}. Rien d'autre ne se passera.",
  "accept.joined": "Vous avez rejoint {tenant}", "accept.joined_body": "Vous êtes maintenant membre, avec le rôle {role}.",
  "accept.open_console": "Ouvrir la console",
  "accept.expired_title": "Cette invitation a expiré", "accept.expired_body": "Le lien pour rejoindre {tenant} n'est plus valable. Vous pouvez demander un nouveau lien à {inviter}.",
  "accept.ask_new_link": "Demander un nouveau lien", "accept.renewal_sent_title": "Nouveau lien demandé",
  "accept.renewal_sent": "Nous avons demandé à {inviter} de vous envoyer un nouveau lien. Il arrivera par e-mail.",
  "accept.renewal_already": "Un nouveau lien a déjà été demandé récemment. Merci d'attendre l'e-mail.",
  "accept.replaced_title": "Un lien plus récent a été envoyé", "accept.replaced_body": "Ce lien a été remplacé par une invitation plus récente à {tenant}. Utilisez l'e-mail le plus récent que vous avez reçu.",
  "accept.revoked_title": "Cette invitation a été retirée", "accept.revoked_body": "{inviter} a retiré l'invitation à {tenant}. Contactez cette personne si vous pensez qu'il s'agit d'une erreur.",
  "accept.used_title": "Cette invitation a déjà été acceptée", "accept.used_body": "Si c'était vous, vous avez déjà accès : ouvrez la console.",
  "accept.declined_state_title": "Cette invitation a été refusée", "accept.declined_state_body": "L'invitation à {tenant} a été refusée et ne peut plus être utilisée. Demandez une nouvelle invitation si vous avez changé d'avis.",
  "accept.unknown_title": "Invitation introuvable", "accept.unknown_body": "Le lien est incomplet ou n'existe plus. Ouvrez à nouveau le lien de votre e-mail, ou demandez une nouvelle invitation.",
  "accept.mismatch_title": "Cette invitation est destinée à une autre adresse",
  "accept.looks_other": "Cette invitation a été envoyée à {invited}, qui ne ressemble pas à {email}. Seule l'adresse invitée peut l'accepter.",
  "accept.mismatch_body": "Vous êtes connecté en tant que {email}, mais cette invitation a été envoyée à {invited}. Connectez-vous avec cette adresse pour l'accepter.",

  "confirm.doc_title": "Confirmez votre nouvelle adresse · Usher", "confirm.title": "Confirmez votre nouvelle adresse e-mail",
  "confirm.intro": "Un administrateur a modifié l'adresse e-mail de votre compte. Confirmez que cette nouvelle adresse est bien la vôtre.",
  "confirm.sign_in_intro": "Connectez-vous à votre compte (avec votre adresse actuelle) pour confirmer.",
  "confirm.confirm": "Confirmer la nouvelle adresse", "confirm.done_title": "Adresse confirmée",
  "confirm.done_body": "Votre compte utilise désormais {email}.",
  "confirm.expired_title": "Ce lien a expiré", "confirm.expired_body": "Les liens de confirmation sont valables 7 jours. Demandez à un administrateur de refaire la demande.",
  "confirm.unknown_title": "Ce lien n'est pas valable", "confirm.unknown_body": "Il a été remplacé par un plus récent, déjà utilisé ou annulé. Utilisez l'e-mail le plus récent.",
  "confirm.wrong_title": "Ce changement concerne un autre compte", "confirm.wrong_body": "Vous êtes connecté en tant que {email}, qui n'est pas le compte dont l'adresse change.",

  "console.doc_title": "Console Usher", "console.sign_in_title": "Connexion à Usher", "console.sign_in_body": "Gérez les personnes de votre espace.",
  "console.loading_tenants": "Chargement de vos organisations…", "console.tenant": "Organisation", "console.nav_label": "Console", "console.you": "Vous",
  "console.no_tenants_title": "Vous n'appartenez encore à aucune organisation", "console.no_tenants_body": "Quand vous acceptez une invitation, l'organisation apparaît ici.",
  "console.open_by_id": "Ouvrir une organisation par identifiant", "console.open_by_id_hint": "Si vous venez de la rejoindre, elle peut mettre un moment à apparaître.", "console.open": "Ouvrir",
  "console.no_access_title": "Vous n'avez pas accès à cette page", "console.no_access_body": "Votre rôle dans cette organisation ne le permet pas.",

  "nav.people": "Personnes", "nav.invite": "Inviter des personnes", "nav.bulk": "Invitation groupée", "nav.roles": "Rôles", "nav.workspaces": "Espaces de travail",
  "nav.audit": "Journal d'audit", "nav.my_invitations": "Mes invitations",

  "form.email": "E-mail", "form.role": "Rôle", "form.workspaces": "Espaces de travail", "form.locale": "Langue",
  "form.locale_hint": "Langue de l'e-mail d'invitation.",
  "form.first_name": "Prénom", "form.last_name": "Nom", "form.phone": "Téléphone", "form.employee_number": "Matricule", "form.company": "Société",
  "form.workspaces_default_hint": "Aucun sélectionné : les espaces par défaut de l'organisation.", "form.workspaces_free_hint": "Séparez les noms par des virgules.",
  "form.notifications": "Notifications", "form.notify_weekly": "Résumé hebdomadaire", "form.notify_messages": "Nouveaux messages", "form.notify_renewals": "Demandes de renouvellement",
  "form.record_owner": "Responsable d'enregistrements", "form.record_owner_hint": "Des enregistrements de l'application peuvent être attribués à cette personne.",
  "form.fix_fields": "Certains champs doivent être corrigés.",

  "invite.title": "Inviter des personnes", "invite.lede": "Envoyez une invitation à rejoindre {tenant}.", "invite.who": "Qui",
  "invite.email": "E-mail", "invite.access": "Accès", "invite.email_section": "E-mail d'invitation",
  "invite.message": "Message personnel", "invite.expiry_days": "Lien valable (jours)", "invite.expiry_hint": "Laissez vide pour la durée par défaut ({days} jours).",
  "invite.send": "Envoyer l'invitation", "invite.many": "Inviter plusieurs personnes", "invite.sent": "Invitation envoyée à {email} en tant que {role}.", "invite.see_people": "Voir les personnes",

  "people.title": "Personnes", "people.lede": "Membres et invitations de {tenant}.",
  "people.usage": "Utilisation des licences", "people.seats_used": "{used} sur {limit} places", "people.seats_unlimited": "{used} places utilisées (sans limite)",
  "people.seats_detail": "{members} membres · {pending} en attente · {available} disponibles",
  "people.seats_aria": "{members} membres et {pending} invitations en attente ; {available} places disponibles",
  "people.by_role": "Membres par rôle",
  "people.search": "Rechercher", "people.search_placeholder": "Nom ou e-mail…", "people.all_roles": "Tous les rôles", "people.status": "Statut", "people.status_all": "Membres et invitations en attente",
  "people.col_person": "Personne", "people.col_last_login": "Dernière connexion", "people.col_actions": "Actions", "people.actions_for": "Actions pour {email}", "people.never": "Jamais",
  "people.none": "Personne pour l'instant", "people.none_match": "Personne ne correspond à ces filtres", "people.none_hint": "Invitez quelqu'un pour commencer.",
  "people.showing": "{n} affichés", "people.expires": "expire le {date}", "people.delivery_failed": "e-mail pas encore remis", "people.delivery_bounced": "e-mail rejeté : vérifiez l'adresse", "people.delivery_complained": "signalé comme spam par le destinataire", "people.renewal_requested": "a demandé un nouveau lien",
  "people.resend": "Renvoyer", "people.resent": "Un nouveau lien a été envoyé à {email}.",
  "people.revoke": "Révoquer", "people.revoke_title": "Révoquer cette invitation ?", "people.revoke_body": "Le lien envoyé à {email} ne fonctionnera plus et la place sera libérée.", "people.revoked": "L'invitation à {email} a été révoquée.",
  "people.change_role": "Changer le rôle", "people.change_role_title": "Changer le rôle", "people.change_role_body": "Choisissez le rôle de {email}.", "people.role_changed": "{email} est maintenant {role}.",
  "people.edit": "Modifier", "people.edit_member_title": "Modifier {email}", "people.edit_invitation_title": "Modifier l'invitation à {email}",
  "people.edit_invitation_hint": "Les changements s'appliquent au lien déjà envoyé ; aucun nouvel e-mail n'est envoyé. Pour changer l'adresse, révoquez puis invitez à nouveau.",
  "people.email_change_hint": "Une nouvelle adresse doit être confirmée par un lien qui lui est envoyé.", "people.email_self_hint": "Vous ne pouvez pas changer votre propre adresse ici.",
  "people.email_change_pending": "Changement d'adresse en attente : {email}", "people.email_change_sent": "Un lien de confirmation a été envoyé à {email}.", "people.saved": "Modifications de {email} enregistrées.",
  "people.delete": "Supprimer", "people.delete_title": "Supprimer le membre", "people.delete_body": "{name} perdra immédiatement l'accès à cette organisation. Cette action est irréversible.",
  "people.delete_type": "Pour confirmer, saisissez l'e-mail du membre :", "people.delete_label": "E-mail du membre", "people.delete_confirm": "Supprimer le membre",
  "people.deleted": "{email} a été retiré.",
  "people.export_csv": "Exporter en CSV", "people.export_xlsx": "Exporter en Excel", "people.export_done": "{name} téléchargé.",
  "people.export_queued": "L'export est volumineux : il est en préparation…", "people.export_ready": "Votre export est prêt.", "people.export_download": "Télécharger",

  "bulk.title": "Invitation groupée", "bulk.lede": "Invitez plusieurs personnes à la fois : collez des adresses ou un CSV, ou importez un fichier CSV ou Excel.",
  "bulk.steps": "Étapes", "bulk.step_input": "Ajouter des personnes", "bulk.step_review": "Vérifier", "bulk.step_done": "Envoyé",
  "bulk.add_title": "Ajouter des personnes", "bulk.paste_label": "Collez des e-mails ou un CSV",
  "bulk.paste_hint": "Une adresse par ligne, ou un CSV avec une ligne d'en-tête : email, role, first_name, last_name, phone, employee_number, company, workspaces, locale.",
  "bulk.default_role": "Rôle des nouvelles lignes", "bulk.add_rows": "Ajouter les lignes",
  "bulk.upload_label": "Importer un fichier CSV ou Excel", "bulk.upload_hint": ".csv ou .xlsx, première feuille, avec une ligne d'en-tête.",
  "bulk.rows_added": "{n} lignes ajoutées depuis {source}.", "bulk.rows_added_one": "{n} ligne ajoutée depuis {source}.", "bulk.source_paste": "le texte collé", "bulk.no_rows": "Aucune ligne trouvée.",
  "bulk.nothing_pasted": "Collez d'abord des adresses.", "bulk.unreadable": "{name} n'a pas pu être lu. Enregistrez-le en CSV ou XLSX et réessayez.",
  "bulk.unknown_columns": "Les colonnes inconnues seront ignorées : {cols}.",
  "bulk.rows_title": "Personnes à inviter", "bulk.no_rows_yet": "Aucune ligne", "bulk.no_rows_hint": "Collez des adresses ou importez un fichier ci-dessus.",
  "bulk.select_all": "Sélectionner toutes les lignes", "bulk.select_row": "Sélectionner la ligne {n} ({email})", "bulk.role_for_row": "Rôle de la ligne {n} ({email})",
  "bulk.role_for_selected": "Rôle des lignes sélectionnées ({n})", "bulk.apply_role": "Appliquer à la sélection", "bulk.remove_selected": "Retirer la sélection", "bulk.clear_rows": "Tout effacer",
  "bulk.role_applied": "Rôle {role} appliqué à {n} lignes.", "bulk.col_name": "Nom", "bulk.no_email": "pas d'e-mail",
  "bulk.review": "Vérifier les invitations", "bulk.too_many": "{max} lignes au maximum par import.",
  "bulk.reviewed": "Vérification prête : {ok} à envoyer, {errors} en erreur.",
  "bulk.review_summary": "Rien n'a encore été envoyé. {ok} invitations sont prêtes ; {errors} lignes comportent des erreurs et seront ignorées.",
  "bulk.to_send": "Invitations à envoyer", "bulk.sent": "Invitations envoyées", "bulk.errors": "Erreurs d'invitation",
  "bulk.download": "Télécharger le rapport", "bulk.col_row": "Ligne", "bulk.col_problem": "Problème",
  "bulk.none_to_send": "Aucune invitation à envoyer.", "bulk.no_errors": "Aucune erreur.",
  "bulk.back": "Revenir à la modification", "bulk.send": "Envoyer", "bulk.again": "Inviter d'autres personnes",
  "bulk.sent_summary": "{ok} invitations envoyées ; {errors} lignes en erreur. Les e-mails partent d'ici une à deux minutes.",

  "bulk.code.invalid_request": "Certains champs de cette ligne ne sont pas valides.", "bulk.code.duplicate_in_upload": "Cette adresse figure sur une ligne précédente.",
  "bulk.code.already_invited": "Cette adresse a déjà une invitation en attente.", "bulk.code.already_member": "Cette personne est déjà membre.",
  "bulk.code.role_not_grantable": "Vous ne pouvez pas attribuer ce rôle.", "bulk.code.unknown_role": "Ce rôle n'existe pas.",
  "bulk.code.unknown_workspace": "Un espace de travail de cette ligne n'existe pas.", "bulk.code.seat_limit_reached": "Plus aucune place disponible.",
  "bulk.code.domain_not_allowed": "Ce domaine d'e-mail n'est pas autorisé.", "bulk.code.unavailable": "Impossible d'enregistrer ; envoyez-la à nouveau.",

  "roles.title": "Rôles", "roles.lede": "Rôles intégrés et rôles propres à cette organisation.", "roles.new": "Nouveau rôle", "roles.create": "Créer le rôle",
  "roles.col_name": "Nom", "roles.col_kind": "Type", "roles.col_permissions": "Permissions", "roles.col_members": "Membres",
  "roles.builtin": "Intégré", "roles.custom": "Personnalisé", "roles.no_permissions": "Aucune permission", "roles.description": "Description",
  "roles.name_hint": "Lettres minuscules, chiffres, - et _ (commence par une lettre).", "roles.edit_title": "Modifier le rôle {name}",
  "roles.saved": "Rôle {name} enregistré.", "roles.deleted": "Rôle {name} supprimé.", "roles.delete_title": "Supprimer ce rôle ?",
  "roles.delete_body": "Le rôle {name} sera supprimé. Un rôle attribué à des membres ne peut pas être supprimé.",

  "ws.title": "Espaces de travail", "ws.lede": "Sites ou projets auxquels les personnes peuvent avoir accès.", "ws.new": "Nouvel espace", "ws.create": "Créer l'espace",
  "ws.col_name": "Nom", "ws.col_id": "Identifiant", "ws.col_default": "Par défaut", "ws.default": "Par défaut", "ws.default_label": "Attribué aux invitations qui n'en précisent aucun",
  "ws.id_hint": "1 à 64 lettres, chiffres, -, _ ou . (non modifiable ensuite).", "ws.rename": "Renommer", "ws.rename_title": "Renommer {name}",
  "ws.none": "Aucun espace de travail", "ws.none_hint": "Tant qu'il n'y en a aucun, les noms d'espaces sont pris tels que saisis.",
  "ws.saved": "Espace {name} enregistré.", "ws.deleted": "Espace {name} supprimé.", "ws.delete_title": "Supprimer cet espace ?",
  "ws.delete_body": "{name} sera supprimé. Un espace encore utilisé par des membres ou des invitations en attente ne peut pas être supprimé.",

  "audit.title": "Journal d'audit", "audit.lede": "Ce qui s'est passé dans cette organisation, du plus récent au plus ancien.", "audit.none": "Rien ne s'est encore passé.",
  "audit.when": "Quand", "audit.what": "Action", "audit.who": "Auteur", "audit.target": "Cible", "audit.details": "Détails",
  "audit.system": "système", "audit.count": "{n} événements", "audit.count_one": "{n} événement",

  "me.title": "Mes invitations", "me.lede": "Les invitations qui vous attendent, dans toutes les organisations.", "me.none": "Aucune invitation en attente",
  "me.none_hint": "Les invitations envoyées à votre adresse apparaissent ici.", "me.tenant": "Organisation", "me.invited_by": "Invité par", "me.sent": "Envoyée", "me.expires": "Expire",
  "me.how_to_accept": "Pour accepter, ouvrez le lien de l'e-mail d'invitation.",

  "err.generic": "Une erreur s'est produite. Veuillez réessayer.", "err.network": "Le serveur est injoignable. Vérifiez votre connexion et réessayez.",
  "err.internal": "Une erreur s'est produite de notre côté. Si elle se répète, indiquez cette référence : {id}.",
  "err.export_failed": "L'export a échoué. Veuillez réessayer.",
  "err.unauthenticated": "Veuillez vous reconnecter.", "err.forbidden": "Vous n'êtes pas autorisé à faire cela.",
  "err.email_mismatch": "Vous êtes connecté avec une autre adresse que celle invitée.", "err.role_not_grantable": "Vous ne pouvez pas attribuer ce rôle.",
  "err.domain_not_allowed": "Ce domaine d'e-mail n'est pas autorisé dans cette organisation.", "err.not_found": "Introuvable.",
  "err.already_invited": "Cette adresse a déjà une invitation en attente.", "err.already_member": "Cette personne est déjà membre.",
  "err.seat_limit_reached": "Plus aucune place : libérez une place ou changez d'offre.", "err.idempotency_conflict": "Cette demande est déjà en cours. Réessayez dans un instant.",
  "err.invalid_state": "Ce n'est pas possible dans l'état actuel.", "err.invitation_expired": "Cette invitation a expiré.",
  "err.invitation_revoked": "Cette invitation a été retirée.", "err.invitation_used": "Cette invitation a déjà été utilisée.",
  "err.invitation_declined": "Cette invitation a été refusée.", "err.link_expired": "Ce lien a expiré.",
  "err.payload_too_large": "C'est trop volumineux pour être envoyé en une fois.", "err.rate_limited": "Trop de tentatives. Patientez un instant et réessayez.",
  "err.unavailable": "Le service est occupé. Rien n'a été modifié ; réessayez dans un instant.", "err.invalid_request": "Certains champs ne sont pas valides.",

  "field.required": "Ce champ est obligatoire.", "field.invalid_email": "Cette adresse e-mail n'est pas valide.", "field.does_not_match": "Cela ne correspond pas.",
  "field.unknown_role": "Ce rôle n'existe pas.", "field.unknown_workspace": "Cet espace de travail n'existe pas.", "field.out_of_range": "Cette valeur est hors limites.",
  "field.too_long": "C'est trop long.", "field.invalid_phone": "Seuls les chiffres, les espaces et + - ( ) . sont autorisés.", "field.unsupported_locale": "Choisissez l'anglais, le français ou l'allemand.",
  "field.invalid_role": "Lettres minuscules, chiffres, - et _ uniquement.", "field.invalid_workspace": "1 à 64 lettres, chiffres, -, _ ou .",
  "field.invalid": "Cette valeur n'est pas valide.", "field.invalid_field": "Cette valeur n'est pas valide.",
};

const de = {
  "lang.en": "English", "lang.fr": "Français", "lang.de": "Deutsch",
  "common.language": "Sprache", "common.loading": "Wird geladen…", "common.load_more": "Mehr laden", "common.retry": "Erneut versuchen",
  "common.cancel": "Abbrechen", "common.save": "Änderungen speichern", "common.edit": "Bearbeiten", "common.delete": "Löschen",
  "common.optional": "Optional", "common.skip": "Zum Inhalt springen", "common.error_title": "Etwas ist schiefgelaufen",

  "auth.email": "E-Mail", "auth.name": "Ihr Name", "auth.name_hint": "Optional; wird den eingeladenen Personen angezeigt.",
  "auth.sign_in": "Anmelden", "auth.sign_out": "Abmelden", "auth.signed_in_as": "Angemeldet als {email}.",
  "auth.use_another": "Anderes Konto verwenden", "auth.sign_in_other": "Mit einem anderen Konto anmelden",
  "auth.dev_note": "Entwicklungs-Anmeldung: Es wird kein Passwort abgefragt. In Produktion ist dies die Anmeldung Ihres Identitätsanbieters.",
  "auth.session_expired": "Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an.",
  "auth.oidc_note": "Sie melden sich auf der Anmeldeseite Ihrer Organisation an und kehren dann hierher zurück.",
  "auth.oidc_redirecting": "Weiterleitung zur Anmeldeseite…", "auth.oidc_finishing": "Anmeldung wird abgeschlossen…",
  "auth.oidc_denied": "Die Anmeldung wurde abgebrochen: Der Identitätsanbieter hat Sie nicht angemeldet. Sie können es erneut versuchen.",
  "auth.oidc_refused": "Der Identitätsanbieter konnte Sie nicht anmelden ({code}). Sie können es erneut versuchen.",
  "auth.oidc_state": "Diese Anmeldung wurde abgelehnt: Sie passt nicht zu der in diesem Tab begonnenen (ein alter oder veränderter Link). Sie sind nicht angemeldet; bitte melden Sie sich erneut an.",
  "auth.oidc_failed": "Die Anmeldung konnte nicht abgeschlossen werden. Bitte versuchen Sie es erneut.",
  "auth.oidc_network": "Der Identitätsanbieter ist nicht erreichbar, um die Anmeldung abzuschließen. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
  "auth.oidc_exchange": "Der Identitätsanbieter hat den Abschluss der Anmeldung abgelehnt ({code}). Bitte melden Sie sich erneut an.",
  "auth.oidc_unverified": "Die Antwort des Identitätsanbieters konnte nicht geprüft werden und wurde nicht verwendet. Bitte melden Sie sich erneut an.",
  "auth.oidc_insecure": "Die Anmeldung erfordert eine sichere Verbindung (https). Öffnen Sie diese Seite unter ihrer https-Adresse.",
  "auth.unconfigured_title": "Die Anmeldung ist für diese Bereitstellung nicht eingerichtet.",
  "auth.unconfigured_body": "Wer diesen Dienst betreibt, muss noch den Parameter PublicUrl des Stacks setzen (und bei einem externen Identitätsanbieter dessen Autorisierungs- und Token-Endpunkt); siehe den Abschnitt zur Bereitstellung in der README. Bis dahin kann sich hier niemand anmelden.",

  "role.owner": "Inhaber", "role.admin": "Administrator", "role.member": "Mitglied", "role.viewer": "Betrachter",
  "status.member": "Mitglied", "status.pending_activation": "Aktivierung ausstehend", "status.expired": "Abgelaufen",
  "status.declined": "Abgelehnt", "status.revoked": "Widerrufen", "status.accepted": "Angenommen",

  "accept.doc_title": "Ihre Einladung · Usher", "accept.loading": "Ihre Einladung wird geprüft…",
  "accept.title": "{tenant} beitreten", "accept.summary": "{inviter} hat Sie eingeladen, {tenant} als {role} beizutreten.",
  "accept.someone": "Jemand", "accept.invited_by": "Eingeladen von", "accept.role": "Rolle", "accept.sent_to": "Gesendet an",
  "accept.expires": "Link gültig bis", "accept.expired_on": "Link abgelaufen am",
  "accept.sign_in_title": "Zum Antworten anmelden", "accept.sign_in_intro": "Melden Sie sich mit der Adresse an, an die diese Einladung gesendet wurde ({email}).",
  "accept.accept": "Einladung annehmen", "accept.decline": "Ablehnen",
  "accept.decline_title": "Einladung zu {tenant} ablehnen?", "accept.decline_body": "Die einladende Person sieht, dass Sie abgelehnt haben. Sie können ihr den Grund nennen.",
  "accept.decline_reason": "Grund", "accept.decline_confirm": "Einladung ablehnen",
  "accept.declined_title": "Einladung abgelehnt", "accept.declined_body": "Sie haben die Einladung zu {tenant} abgelehnt. Es passiert nichts weiter.",
  "accept.joined": "Sie sind {tenant} beigetreten", "accept.joined_body": "Sie sind jetzt Mitglied, mit der Rolle {role}.",
  "accept.open_console": "Konsole öffnen",
  "accept.expired_title": "Diese Einladung ist abgelaufen", "accept.expired_body": "Der Link zum Beitritt zu {tenant} ist nicht mehr gültig. Sie können {inviter} um einen neuen bitten.",
  "accept.ask_new_link": "Neuen Link anfordern", "accept.renewal_sent_title": "Neuer Link angefordert",
  "accept.renewal_sent": "Wir haben {inviter} gebeten, Ihnen einen neuen Link zu senden. Er kommt per E-Mail.",
  "accept.renewal_already": "Ein neuer Link wurde bereits kürzlich angefordert. Bitte warten Sie auf die E-Mail.",
  "accept.replaced_title": "Ein neuerer Link wurde gesendet", "accept.replaced_body": "Dieser Link wurde durch eine neuere Einladung zu {tenant} ersetzt. Bitte verwenden Sie die neueste E-Mail.",
  "accept.revoked_title": "Diese Einladung wurde zurückgezogen", "accept.revoked_body": "{inviter} hat die Einladung zu {tenant} zurückgezogen. Wenden Sie sich an diese Person, wenn Sie einen Fehler vermuten.",
  "accept.used_title": "Diese Einladung wurde bereits angenommen", "accept.used_body": "Wenn Sie das waren, haben Sie bereits Zugriff: Öffnen Sie die Konsole.",
  "accept.declined_state_title": "Diese Einladung wurde abgelehnt", "accept.declined_state_body": "Die Einladung zu {tenant} wurde abgelehnt und kann nicht mehr verwendet werden. Bitten Sie um eine neue Einladung, wenn Sie es sich anders überlegt haben.",
  "accept.unknown_title": "Einladung nicht gefunden", "accept.unknown_body": "Der Link ist unvollständig oder existiert nicht mehr. Öffnen Sie den Link aus Ihrer E-Mail erneut oder bitten Sie um eine neue Einladung.",
  "accept.mismatch_title": "Diese Einladung gilt für eine andere Adresse",
  "accept.looks_other": "Diese Einladung wurde an {invited} gesendet, was nicht nach {email} aussieht. Annehmen geht nur mit der eingeladenen Adresse.",
  "accept.mismatch_body": "Sie sind als {email} angemeldet, aber diese Einladung wurde an {invited} gesendet. Melden Sie sich mit dieser Adresse an, um sie anzunehmen.",

  "confirm.doc_title": "Neue Adresse bestätigen · Usher", "confirm.title": "Neue E-Mail-Adresse bestätigen",
  "confirm.intro": "Ein Administrator hat die E-Mail-Adresse Ihres Kontos geändert. Bestätigen Sie, dass diese neue Adresse Ihnen gehört.",
  "confirm.sign_in_intro": "Melden Sie sich (mit Ihrer aktuellen Adresse) an, um zu bestätigen.",
  "confirm.confirm": "Neue Adresse bestätigen", "confirm.done_title": "Adresse bestätigt",
  "confirm.done_body": "Ihr Konto verwendet jetzt {email}.",
  "confirm.expired_title": "Dieser Link ist abgelaufen", "confirm.expired_body": "Bestätigungslinks gelten 7 Tage. Bitten Sie einen Administrator, die Änderung erneut anzufordern.",
  "confirm.unknown_title": "Dieser Link ist ungültig", "confirm.unknown_body": "Er wurde durch einen neueren ersetzt, bereits verwendet oder zurückgenommen. Verwenden Sie die neueste E-Mail.",
  "confirm.wrong_title": "Diese Änderung betrifft ein anderes Konto", "confirm.wrong_body": "Sie sind als {email} angemeldet; das ist nicht das Konto, dessen Adresse sich ändert.",

  "console.doc_title": "Usher-Konsole", "console.sign_in_title": "Bei Usher anmelden", "console.sign_in_body": "Verwalten Sie die Personen Ihres Arbeitsbereichs.",
  "console.loading_tenants": "Ihre Organisationen werden geladen…", "console.tenant": "Organisation", "console.nav_label": "Konsole", "console.you": "Sie",
  "console.no_tenants_title": "Sie gehören noch keiner Organisation an", "console.no_tenants_body": "Wenn Sie eine Einladung annehmen, erscheint die Organisation hier.",
  "console.open_by_id": "Organisation per ID öffnen", "console.open_by_id_hint": "Wenn Sie gerade beigetreten sind, kann es einen Moment dauern.", "console.open": "Öffnen",
  "console.no_access_title": "Sie haben keinen Zugriff auf diese Seite", "console.no_access_body": "Ihre Rolle in dieser Organisation erlaubt es nicht.",

  "nav.people": "Personen", "nav.invite": "Personen einladen", "nav.bulk": "Sammeleinladung", "nav.roles": "Rollen", "nav.workspaces": "Arbeitsbereiche",
  "nav.audit": "Audit-Protokoll", "nav.my_invitations": "Meine Einladungen",

  "form.email": "E-Mail", "form.role": "Rolle", "form.workspaces": "Arbeitsbereiche", "form.locale": "Sprache",
  "form.locale_hint": "Sprache der Einladungs-E-Mail.",
  "form.first_name": "Vorname", "form.last_name": "Nachname", "form.phone": "Telefon", "form.employee_number": "Personalnummer", "form.company": "Firma",
  "form.workspaces_default_hint": "Keiner ausgewählt: die Standard-Arbeitsbereiche der Organisation.", "form.workspaces_free_hint": "Namen durch Kommas trennen.",
  "form.notifications": "Benachrichtigungen", "form.notify_weekly": "Wöchentliche Zusammenfassung", "form.notify_messages": "Neue Nachrichten", "form.notify_renewals": "Verlängerungsanfragen",
  "form.record_owner": "Datensatzverantwortlich", "form.record_owner_hint": "Datensätze der Anwendung dürfen dieser Person zugewiesen werden.",
  "form.fix_fields": "Einige Felder müssen korrigiert werden.",

  "invite.title": "Personen einladen", "invite.lede": "Senden Sie eine Einladung, {tenant} beizutreten.", "invite.who": "Wer",
  "invite.email": "E-Mail", "invite.access": "Zugriff", "invite.email_section": "Einladungs-E-Mail",
  "invite.message": "Persönliche Nachricht", "invite.expiry_days": "Link gültig (Tage)", "invite.expiry_hint": "Leer lassen für die Standarddauer ({days} Tage).",
  "invite.send": "Einladung senden", "invite.many": "Viele Personen einladen", "invite.sent": "Einladung an {email} als {role} gesendet.", "invite.see_people": "Personen anzeigen",

  "people.title": "Personen", "people.lede": "Mitglieder und Einladungen von {tenant}.",
  "people.usage": "Lizenznutzung", "people.seats_used": "{used} von {limit} Plätzen", "people.seats_unlimited": "{used} Plätze belegt (unbegrenzt)",
  "people.seats_detail": "{members} Mitglieder · {pending} ausstehend · {available} frei",
  "people.seats_aria": "{members} Mitglieder und {pending} ausstehende Einladungen; {available} Plätze frei",
  "people.by_role": "Mitglieder nach Rolle",
  "people.search": "Suchen", "people.search_placeholder": "Name oder E-Mail…", "people.all_roles": "Alle Rollen", "people.status": "Status", "people.status_all": "Mitglieder und offene Einladungen",
  "people.col_person": "Person", "people.col_last_login": "Letzte Anmeldung", "people.col_actions": "Aktionen", "people.actions_for": "Aktionen für {email}", "people.never": "Nie",
  "people.none": "Noch keine Personen", "people.none_match": "Niemand entspricht diesen Filtern", "people.none_hint": "Laden Sie jemanden ein, um zu beginnen.",
  "people.showing": "{n} angezeigt", "people.expires": "läuft ab am {date}", "people.delivery_failed": "E-Mail noch nicht zugestellt", "people.delivery_bounced": "E-Mail unzustellbar: Adresse prüfen", "people.delivery_complained": "vom Empfänger als Spam gemeldet", "people.renewal_requested": "hat einen neuen Link angefordert",
  "people.resend": "Erneut senden", "people.resent": "Ein neuer Link wurde an {email} gesendet.",
  "people.revoke": "Widerrufen", "people.revoke_title": "Diese Einladung widerrufen?", "people.revoke_body": "Der an {email} gesendete Link funktioniert dann nicht mehr, und der Platz wird frei.", "people.revoked": "Die Einladung an {email} wurde widerrufen.",
  "people.change_role": "Rolle ändern", "people.change_role_title": "Rolle ändern", "people.change_role_body": "Wählen Sie die Rolle von {email}.", "people.role_changed": "{email} ist jetzt {role}.",
  "people.edit": "Bearbeiten", "people.edit_member_title": "{email} bearbeiten", "people.edit_invitation_title": "Einladung an {email} bearbeiten",
  "people.edit_invitation_hint": "Änderungen gelten für den bereits gesendeten Link; es wird keine neue E-Mail gesendet. Um die Adresse zu ändern, widerrufen und neu einladen.",
  "people.email_change_hint": "Eine neue Adresse muss über einen an sie gesendeten Link bestätigt werden.", "people.email_self_hint": "Ihre eigene Adresse können Sie hier nicht ändern.",
  "people.email_change_pending": "Adressänderung ausstehend: {email}", "people.email_change_sent": "Ein Bestätigungslink wurde an {email} gesendet.", "people.saved": "Änderungen für {email} gespeichert.",
  "people.delete": "Löschen", "people.delete_title": "Mitglied löschen", "people.delete_body": "{name} verliert sofort den Zugriff auf diese Organisation. Dies kann nicht rückgängig gemacht werden.",
  "people.delete_type": "Geben Sie zur Bestätigung die E-Mail-Adresse des Mitglieds ein:", "people.delete_label": "E-Mail des Mitglieds", "people.delete_confirm": "Mitglied löschen",
  "people.deleted": "{email} wurde entfernt.",
  "people.export_csv": "Als CSV exportieren", "people.export_xlsx": "Als Excel exportieren", "people.export_done": "{name} heruntergeladen.",
  "people.export_queued": "Der Export ist groß: Er wird vorbereitet…", "people.export_ready": "Ihr Export ist bereit.", "people.export_download": "Herunterladen",

  "bulk.title": "Sammeleinladung", "bulk.lede": "Laden Sie viele Personen auf einmal ein: Adressen oder CSV einfügen oder eine CSV- oder Excel-Datei hochladen.",
  "bulk.steps": "Schritte", "bulk.step_input": "Personen hinzufügen", "bulk.step_review": "Prüfen", "bulk.step_done": "Gesendet",
  "bulk.add_title": "Personen hinzufügen", "bulk.paste_label": "E-Mails oder CSV einfügen",
  "bulk.paste_hint": "Eine Adresse pro Zeile oder CSV mit Kopfzeile: email, role, first_name, last_name, phone, employee_number, company, workspaces, locale.",
  "bulk.default_role": "Rolle für neue Zeilen", "bulk.add_rows": "Zeilen hinzufügen",
  "bulk.upload_label": "CSV- oder Excel-Datei hochladen", "bulk.upload_hint": ".csv oder .xlsx, erstes Blatt, mit Kopfzeile.",
  "bulk.rows_added": "{n} Zeilen aus {source} hinzugefügt.", "bulk.rows_added_one": "1 Zeile aus {source} hinzugefügt.", "bulk.source_paste": "dem eingefügten Text", "bulk.no_rows": "Keine Zeilen gefunden.",
  "bulk.nothing_pasted": "Fügen Sie zuerst Adressen ein.", "bulk.unreadable": "{name} konnte nicht gelesen werden. Speichern Sie die Datei als CSV oder XLSX und versuchen Sie es erneut.",
  "bulk.unknown_columns": "Unbekannte Spalten werden ignoriert: {cols}.",
  "bulk.rows_title": "Einzuladende Personen", "bulk.no_rows_yet": "Noch keine Zeilen", "bulk.no_rows_hint": "Fügen Sie oben Adressen ein oder laden Sie eine Datei hoch.",
  "bulk.select_all": "Alle Zeilen auswählen", "bulk.select_row": "Zeile {n} auswählen ({email})", "bulk.role_for_row": "Rolle für Zeile {n} ({email})",
  "bulk.role_for_selected": "Rolle für ausgewählte Zeilen ({n})", "bulk.apply_role": "Auf Auswahl anwenden", "bulk.remove_selected": "Auswahl entfernen", "bulk.clear_rows": "Alle löschen",
  "bulk.role_applied": "Rolle {role} für {n} Zeilen gesetzt.", "bulk.col_name": "Name", "bulk.no_email": "keine E-Mail",
  "bulk.review": "Einladungen prüfen", "bulk.too_many": "Höchstens {max} Zeilen pro Upload.",
  "bulk.reviewed": "Prüfung fertig: {ok} zu senden, {errors} mit Fehlern.",
  "bulk.review_summary": "Noch wurde nichts gesendet. {ok} Einladungen sind bereit; {errors} Zeilen enthalten Fehler und werden übersprungen.",
  "bulk.to_send": "Zu sendende Einladungen", "bulk.sent": "Gesendete Einladungen", "bulk.errors": "Einladungsfehler",
  "bulk.download": "Bericht herunterladen", "bulk.col_row": "Zeile", "bulk.col_problem": "Problem",
  "bulk.none_to_send": "Keine Einladung zu senden.", "bulk.no_errors": "Keine Fehler.",
  "bulk.back": "Zurück zur Bearbeitung", "bulk.send": "Senden", "bulk.again": "Weitere Personen einladen",
  "bulk.sent_summary": "{ok} Einladungen gesendet; {errors} Zeilen mit Fehlern. Die E-Mails gehen in ein bis zwei Minuten hinaus.",

  "bulk.code.invalid_request": "Einige Felder dieser Zeile sind ungültig.", "bulk.code.duplicate_in_upload": "Diese Adresse steht bereits in einer früheren Zeile.",
  "bulk.code.already_invited": "Für diese Adresse gibt es bereits eine ausstehende Einladung.", "bulk.code.already_member": "Diese Person ist bereits Mitglied.",
  "bulk.code.role_not_grantable": "Sie können diese Rolle nicht vergeben.", "bulk.code.unknown_role": "Diese Rolle gibt es nicht.",
  "bulk.code.unknown_workspace": "Ein Arbeitsbereich dieser Zeile existiert nicht.", "bulk.code.seat_limit_reached": "Kein Platz mehr frei.",
  "bulk.code.domain_not_allowed": "Diese E-Mail-Domain ist nicht erlaubt.", "bulk.code.unavailable": "Konnte nicht gespeichert werden; erneut senden.",

  "roles.title": "Rollen", "roles.lede": "Integrierte Rollen und eigene Rollen dieser Organisation.", "roles.new": "Neue Rolle", "roles.create": "Rolle erstellen",
  "roles.col_name": "Name", "roles.col_kind": "Art", "roles.col_permissions": "Berechtigungen", "roles.col_members": "Mitglieder",
  "roles.builtin": "Integriert", "roles.custom": "Eigene", "roles.no_permissions": "Keine Berechtigung", "roles.description": "Beschreibung",
  "roles.name_hint": "Kleinbuchstaben, Ziffern, - und _ (beginnt mit einem Buchstaben).", "roles.edit_title": "Rolle {name} bearbeiten",
  "roles.saved": "Rolle {name} gespeichert.", "roles.deleted": "Rolle {name} gelöscht.", "roles.delete_title": "Diese Rolle löschen?",
  "roles.delete_body": "Die Rolle {name} wird gelöscht. Rollen, die Mitglieder haben, können nicht gelöscht werden.",

  "ws.title": "Arbeitsbereiche", "ws.lede": "Standorte oder Projekte, auf die Personen Zugriff erhalten können.", "ws.new": "Neuer Arbeitsbereich", "ws.create": "Arbeitsbereich erstellen",
  "ws.col_name": "Name", "ws.col_id": "ID", "ws.col_default": "Standard", "ws.default": "Standard", "ws.default_label": "Für Einladungen ohne Arbeitsbereich vergeben",
  "ws.id_hint": "1 bis 64 Buchstaben, Ziffern, -, _ oder . (später nicht änderbar).", "ws.rename": "Umbenennen", "ws.rename_title": "{name} umbenennen",
  "ws.none": "Keine Arbeitsbereiche", "ws.none_hint": "Solange es keine gibt, werden Namen wie eingegeben übernommen.",
  "ws.saved": "Arbeitsbereich {name} gespeichert.", "ws.deleted": "Arbeitsbereich {name} gelöscht.", "ws.delete_title": "Diesen Arbeitsbereich löschen?",
  "ws.delete_body": "{name} wird gelöscht. Ein Arbeitsbereich, den Mitglieder oder ausstehende Einladungen noch nutzen, kann nicht gelöscht werden.",

  "audit.title": "Audit-Protokoll", "audit.lede": "Was in dieser Organisation passiert ist, das Neueste zuerst.", "audit.none": "Noch ist nichts passiert.",
  "audit.when": "Wann", "audit.what": "Aktion", "audit.who": "Akteur", "audit.target": "Ziel", "audit.details": "Details",
  "audit.system": "System", "audit.count": "{n} Ereignisse", "audit.count_one": "1 Ereignis",

  "me.title": "Meine Einladungen", "me.lede": "Einladungen, die auf Sie warten, in allen Organisationen.", "me.none": "Keine ausstehenden Einladungen",
  "me.none_hint": "Einladungen an Ihre Adresse erscheinen hier.", "me.tenant": "Organisation", "me.invited_by": "Eingeladen von", "me.sent": "Gesendet", "me.expires": "Läuft ab",
  "me.how_to_accept": "Zum Annehmen öffnen Sie den Link in der Einladungs-E-Mail.",

  "err.generic": "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.", "err.network": "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
  "err.internal": "Auf unserer Seite ist ein Fehler aufgetreten. Wenn er wieder auftritt, nennen Sie diese Referenz: {id}.",
  "err.export_failed": "Der Export ist fehlgeschlagen. Bitte versuchen Sie es erneut.",
  "err.unauthenticated": "Bitte melden Sie sich erneut an.", "err.forbidden": "Sie dürfen das nicht tun.",
  "err.email_mismatch": "Sie sind mit einer anderen Adresse als der eingeladenen angemeldet.", "err.role_not_grantable": "Sie können diese Rolle nicht vergeben.",
  "err.domain_not_allowed": "Diese E-Mail-Domain ist in dieser Organisation nicht erlaubt.", "err.not_found": "Nicht gefunden.",
  "err.already_invited": "Für diese Adresse gibt es bereits eine ausstehende Einladung.", "err.already_member": "Diese Person ist bereits Mitglied.",
  "err.seat_limit_reached": "Kein Platz mehr frei: Geben Sie einen Platz frei oder wechseln Sie den Tarif.", "err.idempotency_conflict": "Diese Anfrage wird bereits bearbeitet. Versuchen Sie es gleich noch einmal.",
  "err.invalid_state": "Das ist im aktuellen Zustand nicht möglich.", "err.invitation_expired": "Diese Einladung ist abgelaufen.",
  "err.invitation_revoked": "Diese Einladung wurde zurückgezogen.", "err.invitation_used": "Diese Einladung wurde bereits verwendet.",
  "err.invitation_declined": "Diese Einladung wurde abgelehnt.", "err.link_expired": "Dieser Link ist abgelaufen.",
  "err.payload_too_large": "Das ist zu groß, um es auf einmal zu senden.", "err.rate_limited": "Zu viele Versuche. Bitte warten Sie einen Moment.",
  "err.unavailable": "Der Dienst ist ausgelastet. Es wurde nichts geändert; versuchen Sie es gleich noch einmal.", "err.invalid_request": "Einige Felder sind ungültig.",

  "field.required": "Dieses Feld ist erforderlich.", "field.invalid_email": "Das ist keine gültige E-Mail-Adresse.", "field.does_not_match": "Das stimmt nicht überein.",
  "field.unknown_role": "Diese Rolle gibt es nicht.", "field.unknown_workspace": "Diesen Arbeitsbereich gibt es nicht.", "field.out_of_range": "Dieser Wert liegt außerhalb des erlaubten Bereichs.",
  "field.too_long": "Das ist zu lang.", "field.invalid_phone": "Nur Ziffern, Leerzeichen und + - ( ) . sind erlaubt.", "field.unsupported_locale": "Wählen Sie Englisch, Französisch oder Deutsch.",
  "field.invalid_role": "Nur Kleinbuchstaben, Ziffern, - und _.", "field.invalid_workspace": "1 bis 64 Buchstaben, Ziffern, -, _ oder .",
  "field.invalid": "Dieser Wert ist ungültig.", "field.invalid_field": "Dieser Wert ist ungültig.",
};

const DICTS = { en, fr, de };
const PREF = "usher.lang";

function pick() {
  try {
    const saved = localStorage.getItem(PREF);
    if (saved && LANGS.includes(saved)) return saved;
  } catch { /* storage may be off */ }
  for (const l of navigator.languages || [navigator.language || "en"]) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (LANGS.includes(base)) return base;
  }
  return "en";
}

let lang = pick();
document.documentElement.lang = lang;

export function getLang() {
  return lang;
}

export function has(key) {
  return key in DICTS[lang];
}

export function t(key, vars = {}) {
  // a "_one" variant is used when the count n is 1 (English, French and German agree on that)
  const one = vars.n === 1 || (lang === "fr" && vars.n === 0) ? `${key}_one` : null;
  const s = (one && DICTS[lang][one]) || DICTS[lang][key] || en[key] || key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] !== undefined && vars[k] !== null ? String(vars[k]) : ""));
}

export function setLang(l) {
  if (!LANGS.includes(l) || l === lang) return;
  lang = l;
  try { localStorage.setItem(PREF, l); } catch { /* ignore */ }
  document.documentElement.lang = l;
  window.dispatchEvent(new CustomEvent("usher:lang"));
}

export function onLangChange(fn) {
  window.addEventListener("usher:lang", fn);
}

export function applyDocument(title) {
  document.documentElement.lang = lang;
  if (title) document.title = title;
}

export const _dicts = DICTS;
