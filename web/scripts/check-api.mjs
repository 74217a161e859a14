// Regenerates the API types from ../docs/openapi.json and fails when the committed
// src/api/schema.d.ts differs, so a changed API shows up in review and in `tsc`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "trellis-api-"));
const out = join(dir, "schema.d.ts");
try {
  execFileSync("npx", ["openapi-typescript", "../docs/openapi.json", "-o", out], { stdio: "ignore" });
  const fresh = readFileSync(out, "utf8");
  const committed = readFileSync("src/api/schema.d.ts", "utf8");
  if (fresh !== committed) {
    console.error("src/api/schema.d.ts is out of date with docs/openapi.json: run `npm run gen:api` and commit.");
    process.exit(1);
  }
  console.log("src/api/schema.d.ts matches docs/openapi.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
