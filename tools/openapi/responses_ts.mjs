// Writes a TypeScript module that assigns every recorded response (INVESTFLOW_RECORD_RESPONSES,
// tests/web/contract.cpp) to the type openapi-typescript generated for its operation, status
// and media type: `tsc --strict` then checks the generated client against real responses.
//   node responses_ts.mjs RECORDED_DIR OUT.ts
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, out] = process.argv.slice(2);
const lines = ['import type { operations } from "./api";', ""];
let count = 0;
for (const file of readdirSync(dir).sort()) {
  const match = /^([A-Za-z0-9]+)\.(\d{3})\.(json|problem)\.json$/.exec(file);
  if (!match) continue;
  const [, operation, status, kind] = match;
  const media = kind === "json" ? "application/json" : "application/problem+json";
  const body = JSON.stringify(JSON.parse(readFileSync(join(dir, file), "utf8")), null, 2);
  lines.push(
    `export const ${operation}_${status}_${kind}: ` +
      `operations["${operation}"]["responses"][${status}]["content"]["${media}"] = ${body};`,
    "",
  );
  count += 1;
}
if (count === 0) {
  console.error(`no recorded responses in ${dir}`);
  process.exit(1);
}
writeFileSync(out, lines.join("\n"));
console.log(`${count} recorded responses`);
