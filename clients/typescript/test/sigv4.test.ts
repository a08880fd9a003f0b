// SigV4 for the IAM-authorised provisioning routes. `usher serve` has no IAM (its provisioning
// routes take an operator token), so the signer is checked against AWS's published test suite
// and against a signature recomputed here, by hand, from the specification.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { test } from "node:test";
import { createUsherClient, signRequest, unwrap } from "../src/index.js";
import { freePort } from "./support.js";

// AWS's Signature Version 4 test suite (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html,
// also in aws-c-auth/tests/aws-signing-test-suite/v4): its credentials, date, region and service.
const SUITE = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  region: "us-east-1",
  service: "service",
};
const SCOPE = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";

test("the signer gives the published signature of the suite's get-vanilla case", async () => {
  const signed = await signRequest(new Request("https://example.amazonaws.com/"), undefined, SUITE, "20150830T123600Z");
  assert.equal(
    signed.headers.get("authorization"),
    `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=host;x-amz-date, ` +
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  );
  assert.equal(signed.headers.get("x-amz-date"), "20150830T123600Z");
});

test("the signer gives the published signature of the suite's post-vanilla case", async () => {
  const signed = await signRequest(new Request("https://example.amazonaws.com/", { method: "POST" }), undefined, SUITE, "20150830T123600Z");
  assert.match(signed.headers.get("authorization") ?? "", /Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b$/);
});

test("the signer gives the published signature of the suite's get-vanilla-query-order-key-case", async () => {
  const signed = await signRequest(
    new Request("https://example.amazonaws.com/?Param2=value2&Param1=value1"), undefined, SUITE, "20150830T123600Z");
  assert.match(signed.headers.get("authorization") ?? "", /Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
});

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** The signature of a request as received, recomputed from the specification's steps. */
function recompute(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer, secret: string): string {
  const auth = String(headers.authorization);
  const [, credential, signedHeaders] = /Credential=([^,]+), SignedHeaders=([^,]+), Signature=/.exec(auth) ?? [];
  const [, date, region, service] = String(credential).split("/");
  const names = String(signedHeaders).split(";");
  const canonical = [
    method, path, "",
    ...names.map((n) => `${n}:${String(headers[n]).trim()}`), "",
    signedHeaders, sha256(body),
  ].join("\n");
  const toSign = ["AWS4-HMAC-SHA256", headers["x-amz-date"], `${date}/${region}/${service}/aws4_request`, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, String(date)), String(region)), String(service)), "aws4_request");
  return createHmac("sha256", key).update(toSign).digest("hex");
}

test("the provisioning routes are signed for execute-api over the exact body, the other routes carry the Bearer", async () => {
  const seen: { method: string; path: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json" }).end(
        req.url === "/v1/tenants" ? JSON.stringify({ id: "ten_1", name: "Acme" }) : JSON.stringify({ data: [], next_cursor: null }),
      );
    });
  });
  const port = await freePort();
  await new Promise<void>((ok) => server.listen(port, "127.0.0.1", ok));
  try {
    const iam = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "a-secret", sessionToken: "a-session", region: "eu-west-1" };
    const usher = createUsherClient({ baseUrl: `http://127.0.0.1:${port}`, iam, token: "a-person-jwt" });
    unwrap(await usher.api.POST("/v1/tenants", { body: { name: "Acme", owner_email: "owner@acme.test" } }));
    unwrap(await usher.api.GET("/v1/me/tenants"));

    const [provision, listing] = seen;
    assert.ok(provision && listing);
    assert.match(String(provision.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /);
    assert.equal(provision.headers["x-amz-security-token"], "a-session");
    assert.ok(String(provision.headers.authorization).includes("idempotency-key"), "the idempotency key is signed too");
    const signature = /Signature=([0-9a-f]{64})$/.exec(String(provision.headers.authorization))?.[1];
    assert.equal(signature, recompute("POST", "/v1/tenants", provision.headers, provision.body, "a-secret"));
    assert.equal(listing.headers.authorization, "Bearer a-person-jwt");
  } finally {
    await new Promise((ok) => server.close(ok));
  }
});
