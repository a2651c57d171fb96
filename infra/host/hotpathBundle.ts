/**
 * The hot path's code as it reaches the host: `hotpath/main.ts` and everything it imports from this
 * repository, bundled by esbuild into one ESM file (`hotpath.mjs` + source map), next to `package.json`
 * and `package-lock.json` so the host runs `npm ci --omit=dev` for the npm packages (native addons —
 * uWebSockets.js, secp256k1, keccak — must be installed on the host's own architecture and glibc).
 *
 * Every npm package the bundle imports must be a production dependency: one that only `npm ci` in
 * development would install is an error here, at synth time, not a crash on the host.
 */

import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { buildSync } from "esbuild";

export class HotpathBundleError extends Error {
  override readonly name = "HotpathBundleError";
}

export interface HotpathBundleOptions {
  readonly repoRoot: string;
  readonly outputDir: string;
  readonly nodeMajor: number;
}

/** Bundles into `outputDir`; returns the npm packages the bundle imports (all of them runtime deps). */
export function bundleHotpath(options: HotpathBundleOptions): string[] {
  const result = buildSync({
    absWorkingDir: options.repoRoot,
    entryPoints: [join(options.repoRoot, "hotpath", "main.ts")],
    outfile: join(options.outputDir, "hotpath.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${options.nodeMajor}`,
    // npm packages stay imports: installed on the host by `npm ci`, native addons for its CPU.
    packages: "external",
    sourcemap: true,
    metafile: true,
    logLevel: "silent",
  });
  if (result.errors.length > 0) {
    throw new HotpathBundleError(
      `bundling hotpath/main.ts failed: ${result.errors.map((e) => e.text).join("; ")}`,
    );
  }
  const packages = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && !imported.path.startsWith("node:")) packages.add(packageNameOf(imported.path));
    }
  }
  const manifest = JSON.parse(readFileSync(join(options.repoRoot, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const runtime = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const missing = [...packages].filter((name) => !runtime.has(name) && !NODE_BUILTINS.has(name)).sort();
  if (missing.length > 0) {
    throw new HotpathBundleError(
      `the hot path imports ${missing.join(", ")}, not in package.json dependencies: ` +
        "`npm ci --omit=dev` on the host would not install them",
    );
  }
  copyFileSync(join(options.repoRoot, "package.json"), join(options.outputDir, "package.json"));
  copyFileSync(join(options.repoRoot, "package-lock.json"), join(options.outputDir, "package-lock.json"));
  return [...packages].sort();
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

// Builtins imported without the `node:` prefix (esbuild leaves them external on platform node).
const NODE_BUILTINS = new Set([
  "assert",
  "buffer",
  "child_process",
  "crypto",
  "dns",
  "events",
  "fs",
  "http",
  "https",
  "module",
  "net",
  "os",
  "path",
  "perf_hooks",
  "stream",
  "tls",
  "url",
  "util",
  "worker_threads",
  "zlib",
]);
