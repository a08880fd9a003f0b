// Which operations of openapi.yaml a test run called: every request the clients send is matched
// to its operationId by method and path template, read from the document itself.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./support.js";

interface Operation {
  id: string;
  method: string;
  pattern: RegExp;
  literal: number;
}

function operations(): Operation[] {
  const text = readFileSync(join(ROOT, "openapi.yaml"), "utf8");
  const found: Operation[] = [];
  let path: string | undefined;
  let method: string | undefined;
  for (const line of text.split("\n")) {
    const p = /^ {2}(\/\S*):\s*$/.exec(line);
    if (p) { path = p[1]; method = undefined; continue; }
    if (/^\S/.test(line)) path = undefined;
    const m = /^ {4}(get|put|post|patch|delete):\s*$/.exec(line);
    if (m && path) { method = m[1]!.toUpperCase(); continue; }
    const o = /^ {6}operationId:\s*(\w+)/.exec(line);
    if (o && path && method) {
      const source = path.replace(/\{[^}]+\}/g, "[^/]+");
      found.push({ id: o[1]!, method, pattern: new RegExp(`^${source}$`), literal: path.replace(/\{[^}]+\}/g, "").length });
    }
  }
  // A literal segment wins over a parameter (`/members/export` is not a user id).
  return found.sort((a, b) => b.literal - a.literal);
}

const all = operations();
export const seen = new Set<string>();

/** Every operationId of the document's paths. */
export const operationIds = all.map((o) => o.id);

/** A fetch that records which operation each request was, then sends it. */
export function recording(send: (r: Request) => Promise<Response> = (r) => fetch(r)) {
  return async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const op = all.find((o) => o.method === request.method && o.pattern.test(path));
    const response = await send(request);
    if (op) seen.add(op.id);
    return response;
  };
}
