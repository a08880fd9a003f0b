// The one fetch every call goes through: credentials (SigV4 or a Bearer), an Idempotency-Key on
// every write, and bounded retries. openapi-fetch hands it each request it builds.
import { AwsV4Signer } from "aws4fetch";

/** A Bearer token, or a function that gives a fresh one for each request. */
export type TokenSource = string | (() => string | Promise<string>);

/** AWS credentials for the IAM-authorised provisioning routes (SigV4, checked by API Gateway). */
export interface IamCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** The stack's region, e.g. `eu-west-1`. */
  region: string;
  /** The signing service; API Gateway's is `execute-api`. */
  service?: string;
}

export interface RetryOptions {
  /** Tries in all, the first included (default 4). 1 turns retries off. */
  maxAttempts?: number;
  /** A `Retry-After` longer than this is not waited for: the answer goes back to the caller (default 30 s). */
  maxDelayMs?: number;
  /** The first pause after a dropped connection, doubled each time (default 200 ms). */
  baseDelayMs?: number;
}

export interface TransportOptions {
  /** A person's JWT (the console's sign-in, or the stack's identity provider). */
  token?: TokenSource;
  /** SigV4 for `POST /v1/tenants` and `GET`/`PATCH /v1/tenants/{tenantId}` on AWS. */
  iam?: IamCredentials;
  /**
   * `usher serve` has no IAM: its provisioning routes take an operator token instead
   * (`usher token --operator`). Used on those routes when `iam` is not given.
   */
  operatorToken?: TokenSource;
  /** Add an `Idempotency-Key` (a random UUID) to every write that has none (default true). */
  idempotencyKeys?: boolean;
  retry?: RetryOptions;
  /** The fetch to send with (default `globalThis.fetch`). */
  fetch?: (request: Request) => Promise<Response>;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** The tenant provisioning routes, the only ones API Gateway authorises with IAM. */
function isProvisioning(method: string, path: string): boolean {
  if (method === "POST") return /\/v1\/tenants\/?$/.test(path);
  if (method === "GET" || method === "PATCH") return /\/v1\/tenants\/[^/]+\/?$/.test(path);
  return false;
}

async function tokenOf(source: TokenSource): Promise<string> {
  return typeof source === "function" ? source() : source;
}

/** Seconds of a `Retry-After` header (delta-seconds or an HTTP date), if it has one. */
export function retryAfterMs(response: Response, now = Date.now()): number | undefined {
  const value = response.headers.get("retry-after");
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Signs `request` with SigV4 for API Gateway; `body` is the exact bytes that will be sent. */
export async function signRequest(
  request: Request,
  body: ArrayBuffer | undefined,
  iam: IamCredentials,
  datetime?: string,
): Promise<Request> {
  const signer = new AwsV4Signer({
    url: request.url,
    method: request.method,
    headers: request.headers,
    body,
    accessKeyId: iam.accessKeyId,
    secretAccessKey: iam.secretAccessKey,
    sessionToken: iam.sessionToken,
    service: iam.service ?? "execute-api",
    region: iam.region,
    datetime,
  });
  const signed = await signer.sign();
  return new Request(signed.url, { method: signed.method, headers: signed.headers, body, signal: request.signal });
}

/** The fetch for openapi-fetch: authorises, keys writes, retries what is safe to retry. */
export function createTransport(options: TransportOptions): (request: Request) => Promise<Response> {
  const send = options.fetch ?? ((r: Request) => globalThis.fetch(r));
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 4);
  const maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
  const baseDelayMs = options.retry?.baseDelayMs ?? 200;
  const keyWrites = options.idempotencyKeys ?? true;

  async function authorise(request: Request, body: ArrayBuffer | undefined): Promise<Request> {
    if (request.headers.has("authorization")) return request; // the caller chose
    const path = new URL(request.url).pathname;
    if (isProvisioning(request.method, path)) {
      if (options.iam) return signRequest(request, body, options.iam);
      const operator = options.operatorToken ?? options.token;
      if (operator) request.headers.set("authorization", `Bearer ${await tokenOf(operator)}`);
      return request;
    }
    if (options.token) request.headers.set("authorization", `Bearer ${await tokenOf(options.token)}`);
    return request;
  }

  return async function usherFetch(request: Request): Promise<Response> {
    const method = request.method.toUpperCase();
    const headers = new Headers(request.headers);
    const write = !SAFE.has(method);
    if (write && keyWrites && !headers.has("idempotency-key")) headers.set("idempotency-key", crypto.randomUUID());
    // Read once, so that every attempt sends the same bytes (and the signature covers them).
    const body = request.body ? await request.arrayBuffer() : undefined;
    // A write is only sent twice when Usher can tell the two apart from one: by its key.
    const retriable = !write || headers.has("idempotency-key");

    for (let attempt = 1; ; attempt++) {
      const fresh = new Request(request.url, { method, headers: new Headers(headers), body, signal: request.signal });
      const authorised = await authorise(fresh, body);
      let response: Response;
      try {
        response = await send(authorised);
      } catch (error) {
        // A dropped connection: the write may have happened; the same key makes the retry safe.
        if (!retriable || attempt >= maxAttempts || request.signal.aborted) throw error;
        await sleep(baseDelayMs * 2 ** (attempt - 1));
        continue;
      }
      if (attempt >= maxAttempts || !retriable) return response;
      const wait = waitBeforeRetry(response);
      if (wait === undefined || wait > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(wait);
    }
  };
}

/** How long to wait before sending again, or undefined when the answer is final. */
function waitBeforeRetry(response: Response): number | undefined {
  const after = retryAfterMs(response);
  if (response.status === 429 || response.status === 503) return after ?? 1000;
  // `409 idempotency_conflict` with `Retry-After`: the first try with this key is still running
  // (a dropped connection's retry can overtake it). Without Retry-After the 409 is final.
  if (response.status === 409 && after !== undefined) return after;
  return undefined;
}
