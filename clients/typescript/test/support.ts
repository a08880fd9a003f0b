// A real `usher serve` for the tests: the built binary on a free 127.0.0.1 port with a fresh
// temporary data dir, stopped by PID at the end (as tests/browser/conftest.py and fuzz.sh do).
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createUsherClient, type UsherClient, type UsherClientOptions } from "../src/index.js";

const here = fileURLToPath(new URL(".", import.meta.url));
/** The repository root (this file runs from clients/typescript/.test-build/test/). */
export const ROOT = resolve(here, "../../../..");
export const USHER_BIN = process.env.USHER_BIN ?? join(ROOT, "target", "debug", "usher");

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Usher {
  baseUrl: string;
  port: number;
  dataDir: string;
  /** Runs the `usher` CLI on this server's data dir; its stdout. */
  cli(...args: string[]): string;
  /** A person's development JWT (the console's development sign-in). */
  signIn(email: string, name?: string): Promise<string>;
  /** An operator token (what the provisioning routes take locally instead of SigV4). */
  operatorToken(): string;
  /** A client signed in with `token` (and the operator token for the provisioning routes). */
  client(token?: string, extra?: Partial<UsherClientOptions>): UsherClient;
  /**
   * The newest link token emailed to `email` (from the outbox), waiting for it: `token` for an
   * invitation, `email_token` for an address change; `after`: not this one (an older link).
   */
  linkToken(email: string, opts?: { kind?: "token" | "email_token"; after?: string }): Promise<string>;
  /** Every invitation link in the outbox, by address (the newest per address). */
  allLinkTokens(): Map<string, string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  webhookUrl?: string;
  /** Public token requests a minute carrying one token (default: no limit to speak of). */
  tokenRateLimitPerMinute?: number;
  args?: string[];
}

export async function startUsher(opts: StartOptions = {}): Promise<Usher> {
  if (!existsSync(USHER_BIN)) throw new Error(`no usher binary at ${USHER_BIN}: build it (cargo build -p usher) or set USHER_BIN`);
  const dataDir = mkdtempSync(join(tmpdir(), "usher-ts-"));
  const port = await freePort();
  const args = [
    "serve", "--port", String(port), "--data-dir", dataDir,
    // Every test request comes from 127.0.0.1: the public routes' budgets have their own tests.
    "--rate-limit-per-minute", "1000000",
    "--token-rate-limit-per-minute", String(opts.tokenRateLimitPerMinute ?? 1_000_000),
    // Emails as fast as the disk takes them (the flows read links from the outbox).
    "--send-rate-per-second", "0",
    ...(opts.webhookUrl ? ["--webhook-url", opts.webhookUrl, "--webhook-retry-after", "1,1,1"] : []),
    ...(opts.args ?? []),
  ];
  const proc: ChildProcess = spawn(USHER_BIN, args, {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, USHER_LOG: process.env.USHER_LOG ?? "warn" },
  });
  let log = "";
  proc.stderr?.on("data", (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(`${baseUrl}/v1/me/tenants`);
      break;
    } catch {
      if (i > 200 || proc.exitCode !== null) throw new Error(`usher serve did not start:\n${log}`);
      await sleep(50);
    }
  }
  let operator: string | undefined;
  const cli = (...a: string[]) =>
    execFileSync(USHER_BIN, [...a, "--data-dir", dataDir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const operatorToken = () => (operator ??= cli("token", "--email", "ops@saas.test", "--operator", "--ttl-hours", "2").trim());
  return {
    baseUrl,
    port,
    dataDir,
    cli,
    operatorToken,
    async signIn(email, name) {
      const r = await fetch(`${baseUrl}/dev/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(name ? { email, name } : { email }),
      });
      if (!r.ok) throw new Error(`dev sign-in for ${email}: ${r.status} ${await r.text()}`);
      const body = (await r.json()) as { token?: string; id_token?: string; access_token?: string };
      const token = body.token ?? body.id_token ?? body.access_token;
      if (!token) throw new Error(`dev sign-in answered no token: ${JSON.stringify(body)}`);
      return token;
    },
    client(token, extra) {
      return createUsherClient({ baseUrl, token, operatorToken: operatorToken(), ...extra });
    },
    allLinkTokens() {
      const outbox = join(dataDir, "outbox");
      const found = new Map<string, string>();
      for (const f of readdirSync(outbox).filter((f) => f.endsWith(".eml")).sort()) {
        const mail = readFileSync(join(outbox, f), "utf8");
        const to = /^To: .*?([^\s<>]+@[^\s<>]+)/mi.exec(mail)?.[1]?.toLowerCase();
        const token = /#token=([A-Za-z0-9_-]{43})/.exec(mail)?.[1];
        if (to && token) found.set(to, token);
      }
      return found;
    },
    async linkToken(email, { kind = "token", after } = {}) {
      const outbox = join(dataDir, "outbox");
      const link = new RegExp(`#${kind}=([A-Za-z0-9_-]{43})`);
      for (let i = 0; i < 1200; i++) { // 30 s: the worker writes emails after the answer
        const files = existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith(".eml")).sort() : [];
        const mine = files
          .map((f) => readFileSync(join(outbox, f), "utf8"))
          .filter((m) => new RegExp(`^To: .*${email.replace(/[.+]/g, "\\$&")}`, "mi").test(m));
        const tokens = mine.map((m) => link.exec(m)?.[1]).filter((t): t is string => !!t && t !== after);
        if (tokens.length > 0) return tokens[tokens.length - 1]!;
        await sleep(25);
      }
      throw new Error(`no invitation email to ${email} in ${outbox}`);
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A DNS server on loopback whose TXT records a test sets (tests/support/dns_stub.py, dnslib). */
export interface DnsStub {
  /** `127.0.0.1:<port>`, for `usher serve --dns-server`. */
  addr: string;
  setTxt(name: string, values: string[]): void;
  stop(): void;
}

export async function startDnsStub(): Promise<DnsStub> {
  const python = process.env.USHER_DNS_STUB_PYTHON;
  if (!python) throw new Error("USHER_DNS_STUB_PYTHON: a Python with dnslib (infra/scripts/client-test.sh sets it)");
  const dir = mkdtempSync(join(tmpdir(), "usher-dns-"));
  const file = join(dir, "records.json");
  const records: Record<string, string[]> = {};
  writeFileSync(file, "{}");
  const proc = spawn(python, [join(ROOT, "tests", "support", "dns_stub.py"), file], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((ok, fail) => {
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) ok(out.split("\n")[0]!.trim());
    });
    proc.on("exit", (code) => fail(new Error(`the DNS stub exited (${code})`)));
  });
  return {
    addr: `127.0.0.1:${port}`,
    setTxt(name, values) {
      records[name] = values;
      // Whole, then renamed: the stub never reads half a file.
      writeFileSync(`${file}.tmp`, JSON.stringify(records));
      renameSync(`${file}.tmp`, file);
    },
    stop() {
      proc.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
