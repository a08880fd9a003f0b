// Names for the generated schemas a caller handles most; all of them come from openapi.yaml.
import type { components, paths } from "./generated/openapi.js";

type Schemas = components["schemas"];

export type Invitation = Schemas["Invitation"];
export type Member = Schemas["Member"];
export type Tenant = Schemas["Tenant"];
export type Role = Schemas["Role"];
export type Workspace = Schemas["Workspace"];
export type AuditEvent = Schemas["AuditEvent"];
export type ExportStatus = Schemas["ExportStatus"];
export type InviteRequest = Schemas["InviteRequest"];
export type BulkReport = Schemas["BulkReport"];
export type BulkRowResult = Schemas["BulkRowResult"];
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];
export type ErrorCode = Schemas["ErrorCode"];

/** Every event Usher sends the host application: a union narrowed by `type`. */
export type UsherEvent = Schemas["CloudEvent"];
/** One `usher.*` event type. */
export type UsherEventType = UsherEvent["type"];
/** The event of one type, e.g. `EventOf<"usher.invitation.accepted">`. */
export type EventOf<T extends UsherEventType> = Extract<UsherEvent, { type: T }>;

/** Paths whose GET answers `{data: [...], next_cursor}`: the cursor-paged listings. */
export type PagedPath = {
  [P in keyof paths]: paths[P] extends {
    get: { responses: { 200: { content: { "application/json": { data: unknown[]; next_cursor: string | null } } } } };
  }
    ? P
    : never;
}[keyof paths];

type PagedGet<P extends PagedPath> = paths[P]["get"];
/** One item of a paged listing. */
export type PageItem<P extends PagedPath> =
  PagedGet<P>["responses"][200]["content"]["application/json"]["data"][number];
/** A paged listing's path and query parameters, without `cursor` (the iterator owns it). */
export type PageParams<P extends PagedPath> = (PagedGet<P>["parameters"] extends { path: infer T }
  ? { path: T }
  : { path?: never }) & {
  query?: Omit<NonNullable<PagedGet<P>["parameters"]["query"]>, "cursor">;
};
