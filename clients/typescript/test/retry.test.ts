// Retries of 429 and 503 against a stub that answers as Usher does, and against `usher serve`'s
// own rate limit: Retry-After is honoured, and the wait and the tries are bounded.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, test } from "node:test";
import { createUsherClient, isUsherError, unwrap } from "../src/index.js";
import { freePort, startUsher } from "./support.js";

let stub: Server;
let base: string;
let script: { status: number; retryAfter?: string }[] = [];
const arrivals: { at: number; key: string | undefined }[] = [];

before(async () => {
  stub = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      arrivals.push({ at: Date.now(), key: req.headers["idempotency-key"] as string | undefined });
      const next = script.shift() ?? { status: 200 };
      const headers: Record<string, string> = { "x-request-id": "req-1" };
      if (next.retryAfter) headers["retry-after"] = next.retryAfter;
      if (next.status === 200) {
        res.writeHead(200, { ...headers, "content-type": "application/json" }).end(JSON.stringify({ data: [], next_cursor: null }));
      } else {
        const code = next.status === 429 ? "rate_limited" : "unavailable";
        res.writeHead(next.status, { ...headers, "content-type": "application/problem+json" }).end(
          JSON.stringify({ type: `https://usher.dev/problems/${code}`, title: code, status: next.status, detail: "later", code, request_id: "req-1" }),
        );
      }
    });
  });
  const port = await freePort();
  await new Promise<void>((ok) => stub.listen(port, "127.0.0.1", ok));
  base = `http://127.0.0.1:${port}`;
});

after(() => new Promise((ok) => stub.close(ok)));

test("a 503 and a 429 are retried after their Retry-After, with the same idempotency key", async () => {
  arrivals.length = 0;
  script = [{ status: 503, retryAfter: "1" }, { status: 429, retryAfter: "1" }, { status: 200 }];
  const usher = createUsherClient({ baseUrl: base, token: "t" });
  const started = Date.now();
  unwrap(await usher.api.POST("/v1/me/tenants/{tenantId}/sign-in", { params: { path: { tenantId: "ten_1" } } }));
  assert.equal(arrivals.length, 3);
  assert.ok(arrivals[1]!.at - arrivals[0]!.at >= 950, "waited the first Retry-After");
  assert.ok(arrivals[2]!.at - arrivals[1]!.at >= 950, "waited the second Retry-After");
  assert.ok(Date.now() - started < 5000);
  assert.ok(arrivals[0]!.key && arrivals.every((a) => a.key === arrivals[0]!.key), "one key for every try");
});

test("the tries are bounded: after the last one the 503 comes back as a typed error", async () => {
  arrivals.length = 0;
  script = Array.from({ length: 5 }, () => ({ status: 503, retryAfter: "0" }));
  const usher = createUsherClient({ baseUrl: base, token: "t", retry: { maxAttempts: 3 } });
  const result = await usher.api.GET("/v1/me/tenants");
  assert.equal(arrivals.length, 3);
  const error = (() => { try { unwrap(result); } catch (e) { return e; } })();
  assert.ok(isUsherError(error, "unavailable"));
  assert.equal(error.retryAfter, 0);
  script = [];
});

test("a Retry-After longer than the bound is not waited for", async () => {
  arrivals.length = 0;
  script = [{ status: 429, retryAfter: "3600" }];
  const usher = createUsherClient({ baseUrl: base, token: "t", retry: { maxDelayMs: 2000 } });
  const started = Date.now();
  const result = await usher.api.GET("/v1/me/tenants");
  assert.equal(result.response.status, 429);
  assert.equal(arrivals.length, 1);
  assert.ok(Date.now() - started < 1000);
});

test("usher serve's own 429 comes back typed, with its Retry-After, once over the bound", async () => {
  const usher = await startUsher({ tokenRateLimitPerMinute: 1 });
  try {
    // over budget the token routes answer 429 with a Retry-After of up to a minute: more than this bound
    const client = usher.client(undefined, { retry: { maxDelayMs: 500 } });
    const token = "A".repeat(43);
    const first = await client.api.POST("/v1/invitations/lookup", { body: { token } });
    assert.equal(first.response.status, 404);
    const second = await client.api.POST("/v1/invitations/lookup", { body: { token } });
    const error = (() => { try { unwrap(second); } catch (e) { return e; } })();
    assert.ok(isUsherError(error, "rate_limited"), String(error));
    assert.ok((error.retryAfter ?? 0) > 0);
  } finally {
    await usher.stop();
  }
});
