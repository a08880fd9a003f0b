import type { ErrorCode, FieldError, Problem } from "./types.js";

/**
 * An error answer from Usher, as its problem+json body says it: branch on `code` (stable), not
 * on `message`. `fieldErrors` lists every wrong field of an `invalid_request`.
 */
export class UsherError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly problem: Problem;
  readonly fieldErrors: FieldError[];
  readonly requestId: string | undefined;
  /** Seconds to wait before trying again (`429`, `503`, an idempotency key in use). */
  readonly retryAfter: number | undefined;

  constructor(problem: Problem, response?: Response) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = "UsherError";
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
    this.fieldErrors = problem.errors ?? [];
    this.requestId = problem.request_id ?? response?.headers.get("x-request-id") ?? undefined;
    const after = Number(response?.headers.get("retry-after"));
    this.retryAfter = Number.isFinite(after) && after >= 0 && response?.headers.has("retry-after") ? after : undefined;
  }
}

/** Whether `e` is Usher's error answer (with that `code`, when given). */
export function isUsherError(e: unknown, code?: ErrorCode): e is UsherError {
  return e instanceof UsherError && (code === undefined || e.code === code);
}

/**
 * The problem an error answer carries. A body that is not a problem (a proxy's HTML page, API
 * Gateway's own IAM refusal) becomes one with code `internal`, or `unauthenticated`/`forbidden`
 * for a 401/403, so callers always get the same shape.
 */
export function toProblem(body: unknown, response: Response): Problem {
  if (body && typeof body === "object" && "code" in body && "status" in body) return body as Problem;
  const code: ErrorCode =
    response.status === 401 ? "unauthenticated" : response.status === 403 ? "forbidden" : "internal";
  const message = body && typeof body === "object" && "message" in body ? String(body.message) : "";
  return {
    type: `https://usher.dev/problems/${code}`,
    title: response.statusText || code,
    status: response.status,
    detail: message || `HTTP ${response.status} without a problem body`,
    code,
    request_id: response.headers.get("x-request-id") ?? "",
  };
}
