// Regenerates src/generated/openapi.ts from the repository's openapi.yaml with openapi-typescript
// (pinned in package.json). With --check, writes nothing and fails when the checked-in file is
// not what the generator makes now (the contract changed and nobody regenerated).
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const spec = new URL("../../../openapi.yaml", import.meta.url);
const out = new URL("../src/generated/openapi.ts", import.meta.url);

// Uploads and the XLSX export are bytes: `format: binary` is a Blob (Node 20+ and browsers have
// it), not the `string` openapi-typescript would say by default.
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));

const ast = await openapiTS(spec, {
  // `details`, `metadata`: free-form objects, so `Record<string, unknown>`, not `Record<string, never>`.
  emptyObjectsUnknown: true,
  // A field with a default may be left out of a request (`record_owner`, `unlimited_seats`).
  defaultNonNullable: false,
  transform(schema) {
    if (schema.format === "binary") return BLOB;
    return undefined;
  },
});
const header =
  "// Generated from openapi.yaml by openapi-typescript. Do not edit: run `npm run generate`.\n\n";
const text = header + astToString(ast);

if (process.argv.includes("--check")) {
  const current = await readFile(out, "utf8").catch(() => "");
  if (current !== text) {
    console.error(
      `${fileURLToPath(out)} is not what openapi-typescript makes from openapi.yaml now: run \`npm run generate\` and commit it.`,
    );
    process.exit(1);
  }
  console.log("generated types are current");
} else {
  await mkdir(new URL(".", out), { recursive: true });
  await writeFile(out, text);
  console.log(`wrote ${fileURLToPath(out)}`);
}
