/**
 * docker-compose.yml, checked without Docker (CI has no engine): it parses; every long-running service has a
 * health check and every one-shot is awaited; images are pinned; the hot path is pinned to two cores and
 * configured only with HLB_* variables the hot path knows, with values its configuration accepts; every file,
 * npm script and service the file names exists.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { loadConfig } from "../../hotpath/config/index.js";
import { SECRET_SOURCE_ENV_GROUPS, knownSettingVarNames } from "../../hotpath/config/env-vars.js";
import { readInfraSettings } from "../../infra/settings.js";
import { QUEUE_NAMES } from "../../infra/stacks/messagingStack.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Healthcheck {
  readonly test?: string | readonly string[];
  readonly disable?: boolean;
}
interface Service {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly cpuset?: string;
  readonly restart?: string;
  readonly healthcheck?: Healthcheck;
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>;
  readonly networks?: { readonly default?: { readonly aliases?: readonly string[] } };
}
interface ComposeFile {
  readonly services: Readonly<Record<string, Service>>;
  readonly networks?: { readonly default?: { readonly name?: string } };
  readonly volumes?: Readonly<Record<string, unknown>>;
}

// `merge: true`: the file shares the Node services' build settings through a `<<: *hlbasis-image` merge key.
const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8"), { merge: true }) as ComposeFile;
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Docker Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}` against `env`. */
function interpolate(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, arg?: string) => {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
    if (kind === "-") return arg ?? "";
    if (kind === "?") throw new Error(`${name} is required: ${arg ?? ""}`);
    return "";
  });
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A one-shot runs to completion; others wait for it with `service_completed_successfully`. */
const isOneShot = (definition: Service): boolean => definition.restart === "no";

/** Every string a service runs: its command and its health check. */
function commandWords(definition: Service): string[] {
  const test = definition.healthcheck?.test;
  return [...(definition.command ?? []), ...(typeof test === "string" || test === undefined ? [] : test)];
}

describe("docker-compose.yml", () => {
  it("has the local stack's services", () => {
    expect(Object.keys(services).sort()).toEqual([
      "deploy",
      "hotpath",
      "localstack",
      "migrate",
      "postgres",
      "sim",
    ]);
  });

  it("gives every long-running service a health check, and every one-shot a waiting dependant", () => {
    const awaitedOneShots = new Set<string>();
    for (const definition of Object.values(services)) {
      for (const [name, dependency] of Object.entries(definition.depends_on ?? {})) {
        if (dependency.condition === "service_completed_successfully") awaitedOneShots.add(name);
      }
    }
    for (const [name, definition] of Object.entries(services)) {
      if (isOneShot(definition)) {
        expect(definition.healthcheck, name).toEqual({ disable: true });
        expect(awaitedOneShots.has(name), `${name} is awaited`).toBe(true);
      } else {
        const test = definition.healthcheck?.test;
        expect(Array.isArray(test) && test.length > 1, `${name} has a health check command`).toBe(true);
        expect(["CMD", "CMD-SHELL"]).toContain((test as readonly string[])[0]);
      }
    }
    for (const name of awaitedOneShots) expect(isOneShot(service(name)), `${name} is a one-shot`).toBe(true);
  });

  it("makes services wait for what they use, and names only services that exist", () => {
    for (const [name, definition] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(definition.depends_on ?? {})) {
        expect(Object.keys(services), `${name} depends on ${dependency}`).toContain(dependency);
        expect(["service_healthy", "service_completed_successfully"]).toContain(condition);
      }
    }
    expect(Object.keys(service("hotpath").depends_on ?? {}).sort()).toEqual(["deploy", "sim"]);
    expect(Object.keys(service("deploy").depends_on ?? {}).sort()).toEqual(["localstack", "migrate"]);
    expect(Object.keys(service("migrate").depends_on ?? {})).toEqual(["postgres"]);
  });

  it("pins every pulled image to a version, and builds ours on a base with glibc >= 2.38", () => {
    for (const [name, definition] of Object.entries(services)) {
      if (definition.build !== undefined) continue; // built here from the pinned Dockerfile below
      const image = definition.image ?? "";
      const tag = image.split(":")[1] ?? "";
      expect(tag, `${name}: ${image}`).toMatch(/^\d+(\.\d+)+/);
    }
    for (const definition of Object.values(services)) {
      if (definition.build === undefined) continue;
      const dockerfile = readFileSync(
        join(ROOT, definition.build.context, definition.build.dockerfile),
        "utf8",
      );
      const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((match) => match[1] ?? "");
      expect(bases.length).toBeGreaterThan(0);
      for (const base of bases) {
        expect(base).toMatch(/^node:\d+\.\d+\.\d+-/);
        // Debian 12 (bookworm) has glibc 2.36: the current uWS build would not load (shared/STACK.md).
        expect(base).toMatch(/-(trixie|noble)/);
      }
    }
  });

  it("passes LOCALSTACK_AUTH_TOKEN through from the operator's environment, required", () => {
    const token = service("localstack").environment?.["LOCALSTACK_AUTH_TOKEN"] ?? "";
    expect(token).toMatch(/^\$\{LOCALSTACK_AUTH_TOKEN:\?.+\}$/);
    expect(interpolate(token, { LOCALSTACK_AUTH_TOKEN: "ls-abc" })).toBe("ls-abc");
    expect(() => interpolate(token, {})).toThrow(/LOCALSTACK_AUTH_TOKEN is required/);
  });

  it("runs Lambda containers on the compose network, where LocalStack's URL host names reach it", () => {
    const localstack = service("localstack");
    expect(localstack.environment?.["LAMBDA_DOCKER_NETWORK"]).toBe(compose.networks?.default?.name);
    expect(localstack.volumes).toContain("/var/run/docker.sock:/var/run/docker.sock");
    const hotpathEnv = service("hotpath").environment ?? {};
    for (const variable of ["HLB_SQS_EDGE_QUEUE_URL", "HLB_SQS_TRADE_QUEUE_URL"]) {
      const host = new URL(interpolate(hotpathEnv[variable] ?? "", {})).hostname;
      expect(localstack.networks?.default?.aliases, variable).toContain(host);
    }
  });

  it("pins the hot path to two cores and publishes every port on loopback only", () => {
    expect(service("hotpath").cpuset).toBe("0,1");
    for (const [name, definition] of Object.entries(services)) {
      for (const port of definition.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
  });

  it("names only files, directories and npm scripts that exist", () => {
    const checked: string[] = [];
    for (const [name, definition] of Object.entries(services)) {
      if (definition.build !== undefined) {
        const context = join(ROOT, definition.build.context);
        expect(statSync(context).isDirectory(), `${name} build context`).toBe(true);
        expect(existsSync(join(context, definition.build.dockerfile)), `${name} Dockerfile`).toBe(true);
        // BuildKit reads <Dockerfile>.dockerignore: without it the host's node_modules would be copied in.
        expect(existsSync(join(context, `${definition.build.dockerfile}.dockerignore`))).toBe(true);
      }
      for (const volume of definition.volumes ?? []) {
        const [source = ""] = volume.split(":");
        if (source.startsWith("."))
          expect(existsSync(join(ROOT, source)), `${name} mounts ${source}`).toBe(true);
        else if (source.startsWith("/")) expect(source).toBe("/var/run/docker.sock");
        else expect(Object.keys(compose.volumes ?? {}), `${name} volume ${source}`).toContain(source);
      }
      const words = commandWords(definition);
      words.forEach((word, index) => {
        if (/^[\w.-]+(\/[\w.-]+)+\.(ts|mjs|js|sh)$/.test(word)) {
          expect(existsSync(join(ROOT, word)), `${name} runs ${word}`).toBe(true);
          checked.push(word);
        }
        if (word === "run" && words[index - 1] === "npm") {
          const script = words.slice(index + 1).find((next) => !next.startsWith("-"));
          expect(packageJson.scripts, `${name}: npm run ${script}`).toHaveProperty([script ?? ""]);
          // The script's own entry file exists too (`tsx test/sim/cli.ts`).
          const entry = packageJson.scripts[script ?? ""]
            ?.split(" ")
            .find((part) => /\.(ts|js|mjs)$/.test(part));
          if (entry !== undefined) expect(existsSync(join(ROOT, entry)), `${script} → ${entry}`).toBe(true);
          checked.push(`npm run ${script}`);
        }
      });
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        "npm run db:migrate",
        "npm run sim",
        "hotpath/main.ts",
        "infra/docker/deploy-localstack.sh",
        "infra/docker/http-check.mjs",
      ]),
    );
  });

  it("deploys the CDK app's localstack target with cdklocal, against the compose Postgres", () => {
    const script = readFileSync(join(ROOT, "infra/docker/deploy-localstack.sh"), "utf8");
    expect(script).toMatch(/npx cdklocal bootstrap /);
    expect(script).toMatch(/npx cdklocal deploy --all --require-approval never /);
    expect(script).toContain("-c target=localstack");
    expect(script).toContain("-c databaseUrl=${DATABASE_URL}");
    expect(packageJson.devDependencies).toHaveProperty(["aws-cdk-local"]);
    expect(packageJson.devDependencies).toHaveProperty(["aws-cdk"]);
    const deployEnv = service("deploy").environment ?? {};
    // The context the script passes is one the CDK app accepts (infra/settings.ts).
    const contextLine = /^context="(.*)"$/m.exec(script)?.[1] ?? "";
    const context = new Map(
      [...interpolate(contextLine, deployEnv).matchAll(/-c (\w+)=(\S+)/g)].map(
        (match) => [match[1] ?? "", match[2] ?? ""] as const,
      ),
    );
    const settings = readInfraSettings((key) => context.get(key));
    expect(settings.target).toBe("localstack");
    expect(settings.region).toBe(deployEnv["AWS_REGION"]);
    expect(settings.databaseUrl).toBe(deployEnv["DATABASE_URL"]);
    expect(deployEnv["DATABASE_URL"]).toBe(service("migrate").environment?.["DATABASE_URL"]);
    expect(new URL(deployEnv["DATABASE_URL"] ?? "").hostname).toBe("postgres");
    expect(new URL(deployEnv["AWS_ENDPOINT_URL"] ?? "").hostname).toBe("localstack");
  });

  describe("the hot path's environment", () => {
    const env = Object.fromEntries(
      Object.entries(service("hotpath").environment ?? {}).map(([name, value]) => [
        name,
        interpolate(String(value), {}),
      ]),
    );

    it("sets only HLB_* variables the hot path knows", () => {
      const known = knownSettingVarNames();
      for (const group of SECRET_SOURCE_ENV_GROUPS)
        if (group.defaultValueVar !== null) known.add(group.defaultValueVar);
      const hlb = Object.keys(env).filter((name) => name.startsWith("HLB_"));
      expect(hlb.length).toBeGreaterThan(5);
      for (const name of hlb) expect(known.has(name), name).toBe(true);
    });

    it("is a configuration the hot path accepts: sim mode on the simulator service, LocalStack's queues", () => {
      const config = loadConfig({ env, argv: [], cwd: "/app" });
      expect(config.mode).toBe("sim");
      expect(config.host.bindAddress).toBe("0.0.0.0");
      expect(config.persistence.sqsEndpoint).toBe("http://localstack:4566");
      // The queues the CDK app creates (its localstack target keeps their names), in LocalStack's account.
      expect(config.persistence.edgeQueueUrl).toMatch(
        new RegExp(`/000000000000/${escape(QUEUE_NAMES.edges)}$`),
      );
      expect(config.persistence.tradeQueueUrl).toMatch(
        new RegExp(`/000000000000/${escape(QUEUE_NAMES.trades)}$`),
      );
      expect(config.log.service).toBe("hotpath");

      const sim = service("sim").command ?? [];
      const simPort = sim[sim.indexOf("--port") + 1];
      expect(sim[sim.indexOf("--host") + 1]).toBe("0.0.0.0");
      for (const url of [env["HLB_INFO_URL"], env["HLB_EXCHANGE_URL"], env["HLB_WS_URL"]]) {
        const parsed = new URL(url ?? "");
        expect(parsed.hostname).toBe("sim");
        expect(parsed.port).toBe(simPort);
      }
      expect(new URL(env["HLB_SQS_ENDPOINT"] ?? "").hostname).toBe("localstack");
    });

    it("is health-checked on the port it serves, which is the one published", () => {
      const port = env["HLB_HOST_PORT"];
      const test = service("hotpath").healthcheck?.test as readonly string[];
      expect(test.some((word) => word === `http://127.0.0.1:${port}/ready`)).toBe(true);
      expect(service("hotpath").ports).toEqual([`127.0.0.1:${port}:${port}`]);
    });
  });
});
