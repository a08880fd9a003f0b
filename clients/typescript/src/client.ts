// The client: openapi-fetch over the generated types for every operation, and the few things a
// generator cannot know (paging, bulk uploads, exports that become jobs, typed errors).
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./generated/openapi.js";
import { UsherError, toProblem } from "./errors.js";
import { createTransport, type TransportOptions } from "./transport.js";
import type { BulkReport, ExportStatus, Invitation, InviteRequest, PagedPath, PageItem, PageParams } from "./types.js";

export const XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export interface UsherClientOptions extends TransportOptions {
  /** Where Usher is: the stage's API URL, or `http://127.0.0.1:8080` for `usher serve`. */
  baseUrl: string;
}

/** What an openapi-fetch call resolves to. */
interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The data of a successful answer; an error answer throws `UsherError`. */
export function unwrap<R extends FetchResult>(result: R): Exclude<R["data"], undefined> {
  if (result.error !== undefined || !result.response.ok) {
    throw new UsherError(toProblem(result.error, result.response), result.response);
  }
  return result.data as Exclude<R["data"], undefined>;
}

/** A bulk row naming a directory person: the directory gives the address and the names left out. */
export type DirectoryPersonRow = Omit<InviteRequest, "email"> & { directory_person_id: string };

/** A bulk invitation: JSON rows, or a spreadsheet's bytes (a header row, then one invitation a row). */
export type BulkInput =
  | { rows: Array<InviteRequest | DirectoryPersonRow> }
  | { csv: string | Uint8Array | Blob }
  | { xlsx: Uint8Array | ArrayBuffer | Blob };

export interface BulkOptions {
  /** The review step: what would happen, nothing written or sent. */
  dryRun?: boolean;
  /** Your own key (default: a fresh one, reused by the retries of this call). */
  idempotencyKey?: string;
}

export interface ExportOptions {
  format?: "csv" | "xlsx";
  /** Add the pending invitations (status `pending_activation`). */
  includeInvitations?: boolean;
  /** Between two reads of a large export's status (default 500 ms). */
  pollIntervalMs?: number;
  /** Give up on a large export after this long (default 10 minutes). */
  timeoutMs?: number;
}

export interface ExportedFile {
  bytes: Uint8Array;
  format: "csv" | "xlsx";
  /** From `Content-Disposition` on a direct export. */
  filename?: string;
  /** `direct`: the file came in the answer; `job`: the answer was `202` and the file was followed to its link. */
  via: "direct" | "job";
  /** The job's last status (`via: "job"`). */
  job?: ExportStatus;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface UsherClient {
  /** Every operation of openapi.yaml, typed (`api.GET("/v1/tenants/{tenantId}/members", ...)`). */
  api: Client<paths>;
  /** Every item of a cursor-paged listing, page after page, until `next_cursor` is null. */
  each<P extends PagedPath>(path: P, params: PageParams<P>): AsyncGenerator<PageItem<P>, void, undefined>;
  /** Invites one person; the invitation (`201`). */
  invite(tenantId: string, request: InviteRequest, options?: { idempotencyKey?: string }): Promise<Invitation>;
  /** Invites many at once; the per-row report. */
  bulkInvite(tenantId: string, input: BulkInput, options?: BulkOptions): Promise<BulkReport>;
  /** The tenant's people as a file: the answer's bytes, or a large export's job followed to its file. */
  exportMembers(tenantId: string, options?: ExportOptions): Promise<ExportedFile>;
  /** The same client acting as someone else (another person's JWT). */
  withToken(token: TransportOptions["token"]): UsherClient;
}

export function createUsherClient(options: UsherClientOptions): UsherClient {
  const transport = createTransport(options);
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const api = createClient<paths>({ baseUrl, fetch: transport });
  const plainFetch = options.fetch ?? ((r: Request) => globalThis.fetch(r));

  async function* each<P extends PagedPath>(path: P, params: PageParams<P>): AsyncGenerator<PageItem<P>, void, undefined> {
    // openapi-fetch's types cannot follow a path chosen at run time; the signature above can.
    const get = api.GET as unknown as (p: string, init: object) => Promise<FetchResult>;
    let cursor: string | undefined;
    do {
      const query = { ...(params.query ?? {}), ...(cursor === undefined ? {} : { cursor }) };
      const page = unwrap(await get(path, { params: { path: params.path, query } })) as {
        data: PageItem<P>[];
        next_cursor: string | null;
      };
      yield* page.data;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  // One operation answers two shapes (one invitation, or a bulk report): each gets its own method.
  async function invite(tenantId: string, request: InviteRequest, opts: { idempotencyKey?: string } = {}): Promise<Invitation> {
    const result = await api.POST("/v1/tenants/{tenantId}/invitations", {
      params: { path: { tenantId } },
      headers: opts.idempotencyKey ? { "idempotency-key": opts.idempotencyKey } : {},
      body: request,
    });
    const data = unwrap(result);
    if (result.response.status !== 201 || typeof data !== "object" || !("id" in data)) {
      throw new Error(`an invite answered ${result.response.status} without an invitation`);
    }
    return data;
  }

  async function bulkInvite(tenantId: string, input: BulkInput, opts: BulkOptions = {}): Promise<BulkReport> {
    const headers: Record<string, string> = {};
    if (opts.idempotencyKey) headers["idempotency-key"] = opts.idempotencyKey;
    const path = { tenantId };
    let result;
    if ("rows" in input) {
      result = await api.POST("/v1/tenants/{tenantId}/invitations", {
        params: { path },
        headers,
        body: { invitations: input.rows, ...(opts.dryRun ? { dry_run: true } : {}) },
      });
    } else {
      const [bytes, type] = "csv" in input ? [input.csv, "text/csv"] : [input.xlsx, XLSX_MEDIA_TYPE];
      const blob = bytes instanceof Blob ? bytes : new Blob([bytes as BlobPart], { type });
      result = await api.POST("/v1/tenants/{tenantId}/invitations", {
        params: { path, query: opts.dryRun ? { dry_run: "true" } : {} },
        headers: { ...headers, "content-type": type },
        body: blob,
        bodySerializer: (b) => b as Blob,
      });
    }
    const data = unwrap(result);
    if (result.response.status !== 200 || typeof data !== "object" || !("summary" in data)) {
      throw new Error(`a bulk call answered ${result.response.status} without a report`);
    }
    return data;
  }

  async function exportMembers(tenantId: string, opts: ExportOptions = {}): Promise<ExportedFile> {
    const format = opts.format ?? "csv";
    const result = await api.GET("/v1/tenants/{tenantId}/members/export", {
      params: { path: { tenantId }, query: { format, ...(opts.includeInvitations ? { include: "invitations" } : {}) } },
      parseAs: "arrayBuffer",
    });
    const body = unwrap(result) as ArrayBuffer;
    if (result.response.status === 200) {
      const disposition = result.response.headers.get("content-disposition") ?? "";
      const filename = /filename="([^"]+)"/.exec(disposition)?.[1];
      return { bytes: new Uint8Array(body), format, via: "direct", ...(filename ? { filename } : {}) };
    }
    // 202: the file is being written; follow the job to its link.
    let job = JSON.parse(new TextDecoder().decode(body)) as ExportStatus;
    const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
    while (job.status === "queued" || job.status === "running") {
      if (Date.now() > deadline) throw new Error(`export ${job.id} is still ${job.status} after ${opts.timeoutMs ?? 600_000} ms`);
      await sleep(opts.pollIntervalMs ?? 500);
      job = unwrap(
        await api.GET("/v1/tenants/{tenantId}/exports/{exportId}", { params: { path: { tenantId, exportId: job.id } } }),
      );
    }
    if (job.status !== "ready" || !job.url) throw new Error(`export ${job.id} ${job.status}: ${job.error ?? "no link"}`);
    // A presigned link: no Authorization header (S3 refuses a second credential).
    const file = await plainFetch(new Request(job.url));
    if (!file.ok) throw new Error(`export ${job.id}: its link answered ${file.status}`);
    return { bytes: new Uint8Array(await file.arrayBuffer()), format, via: "job", job };
  }

  return {
    api,
    each,
    invite,
    bulkInvite,
    exportMembers,
    withToken: (token) => createUsherClient({ ...options, token }),
  };
}
