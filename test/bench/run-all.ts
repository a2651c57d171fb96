/**
 * `npm run bench`: runs every `test/bench/*.bench.ts` in its own process, one after another (benchmarks
 * on a 2-core machine must not compete with each other), streaming their output. Each benchmark prints
 * its own JSON result lines; `docs/benchmarks.md` records what they measured and the command.
 * Arguments after `--` filter by file name: `npm run bench -- signing`.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(benchDir)
  .filter((name) => name.endsWith(".bench.ts"))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

if (benches.length === 0) {
  process.stderr.write(`no benchmark matches ${JSON.stringify(filters)}\n`);
  process.exit(2);
}

let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n== ${bench} ==\n`);
  const result = spawnSync(process.execPath, ["--import", "tsx", join(benchDir, bench)], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    failed += 1;
    process.stderr.write(`${bench} exited with ${result.status ?? result.signal}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
