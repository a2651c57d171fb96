/**
 * What every Lambda here reads from its environment the same way: the database connection and pool, the
 * log level, and the rule that an empty variable counts as unset. Each Lambda adds its own variables to
 * `DATABASE_ENV` and parses with `parseLambdaEnv`; Lambdas do not use the hot path's `HLB_*` namespace.
 *
 * The database is named one of two ways, exactly one per Lambda:
 * - `DATABASE_URL`: a `postgres://` URL (local runs, LocalStack, a database outside AWS);
 * - `DATABASE_SECRET_ARN`: the Secrets Manager secret RDS generates (JSON `host`, `port`, `username`,
 *   `password`, `dbname`), with `DATABASE_HOST` replacing the secret's host (the RDS Proxy endpoint: the
 *   secret names the instance) and `DATABASE_TLS` (default `verify-full`). The secret is fetched once per
 *   execution environment and kept, so a cold start costs one Secrets Manager call and a warm one none.
 */

import { z } from "zod";

/** An integer variable within [min, max], `fallback` when unset. */
export const intFromEnv = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * TLS to the database with a secret-named connection: `verify-full` checks the certificate and the host
 * name (RDS Proxy presents an Amazon-issued certificate; the instance's RDS CA needs
 * `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem` in the Lambda), `require` encrypts without checking,
 * `disable` sends clear text.
 */
export const DATABASE_TLS_MODES = ["verify-full", "require", "disable"] as const;
export type DatabaseTlsMode = (typeof DATABASE_TLS_MODES)[number];

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^\s]+$/;
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

/** The database and logging variables of every Lambda (documented in lambdas/README.md). */
export function databaseEnv(statementTimeoutDefaultMs: number) {
  return {
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// URL")
      .optional(),
    DATABASE_SECRET_ARN: z
      .string()
      .regex(SECRET_ARN, "DATABASE_SECRET_ARN must be a Secrets Manager secret ARN")
      .optional(),
    DATABASE_HOST: z.string().regex(HOST_NAME, "DATABASE_HOST must be a host name").optional(),
    DATABASE_TLS: z.enum(DATABASE_TLS_MODES).optional(),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
    DB_POOL_MAX: intFromEnv(1, 1, 20),
    DB_CONNECT_TIMEOUT_MS: intFromEnv(5_000, 100, 60_000),
    DB_STATEMENT_TIMEOUT_MS: intFromEnv(statementTimeoutDefaultMs, 100, 300_000),
  };
}

/** The database variables as parsed by `databaseEnv` (every Lambda's config carries these). */
export type DatabaseEnvValues = {
  readonly DATABASE_URL?: string | undefined;
  readonly DATABASE_SECRET_ARN?: string | undefined;
  readonly DATABASE_HOST?: string | undefined;
  readonly DATABASE_TLS?: DatabaseTlsMode | undefined;
};

/**
 * Validates `env` (empty variables dropped) against `schema`; on failure throws `fail(detail)` with every
 * problem as `NAME: reason`, `; `-separated. A schema that includes `databaseEnv` also gets the rule that
 * exactly one of `DATABASE_URL` / `DATABASE_SECRET_ARN` is set.
 */
export function parseLambdaEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  fail: (detail: string) => Error,
): z.output<S> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = schema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  if (schema instanceof z.ZodObject && "DATABASE_SECRET_ARN" in schema.shape) {
    problems.push(...databaseSourceProblems(present));
  }
  if (!parsed.success || problems.length > 0) throw fail(problems.join("; "));
  return parsed.data;
}

/** The cross-variable rules of the database source (each variable's own format is the schema's). */
export function databaseSourceProblems(present: Readonly<Record<string, unknown>>): string[] {
  const url = present["DATABASE_URL"] !== undefined;
  const secret = present["DATABASE_SECRET_ARN"] !== undefined;
  if (url && secret) {
    return ["DATABASE_URL: set DATABASE_URL or DATABASE_SECRET_ARN, not both"];
  }
  if (!url && !secret) {
    return ["DATABASE_URL: DATABASE_URL is required (or DATABASE_SECRET_ARN, an RDS credentials secret)"];
  }
  if (url) {
    return ["DATABASE_HOST", "DATABASE_TLS"]
      .filter((name) => present[name] !== undefined)
      .map((name) => `${name}: only with DATABASE_SECRET_ARN (DATABASE_URL carries its own)`);
  }
  return [];
}

export class DatabaseConfigError extends Error {
  override readonly name = "DatabaseConfigError";
}

/** Where the database credentials come from (after `parseLambdaEnv`). */
export type DatabaseSource =
  | { readonly kind: "url"; readonly url: string }
  | {
      readonly kind: "secret";
      readonly secretArn: string;
      /** Replaces the secret's `host` (the RDS Proxy endpoint). */
      readonly host: string | undefined;
      readonly tls: DatabaseTlsMode;
    };

export function databaseSourceOf(values: DatabaseEnvValues): DatabaseSource {
  const problems = databaseSourceProblems(values);
  if (problems.length > 0)
    throw new DatabaseConfigError(`database configuration invalid: ${problems.join("; ")}`);
  if (values.DATABASE_URL !== undefined) return { kind: "url", url: values.DATABASE_URL };
  return {
    kind: "secret",
    secretArn: values.DATABASE_SECRET_ARN!,
    host: values.DATABASE_HOST,
    tls: values.DATABASE_TLS ?? "verify-full",
  };
}

/** The fields of an RDS-generated credentials secret this code uses. */
export interface DatabaseSecret {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname: string;
}

/** The secret could not be read or is not RDS credentials JSON. Never carries the secret's text. */
export class DatabaseSecretError extends Error {
  override readonly name = "DatabaseSecretError";
}

const databaseSecretSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65_535),
  username: z.string().min(1),
  password: z.string().min(1),
  // RDS writes `dbname` only when the instance was created with a database name; PostgreSQL's is then
  // `postgres`.
  dbname: z.string().min(1).default("postgres"),
});

/** Parses the secret's JSON; errors name the missing or malformed fields, never a value. */
export function parseDatabaseSecret(text: string, secretArn: string): DatabaseSecret {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // The SyntaxError quotes the text (the password with it): not shown, not chained.
    throw new DatabaseSecretError(`database secret ${secretArn} is not JSON (parse error not shown)`);
  }
  const parsed = databaseSecretSchema.safeParse(document);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "(root)"))];
    throw new DatabaseSecretError(
      `database secret ${secretArn} is not RDS credentials JSON: missing or invalid ${fields.join(", ")}`,
    );
  }
  return parsed.data;
}

/** What `pg.Pool` needs to connect, from either source. */
export type PgConnectionConfig =
  | { readonly connectionString: string }
  | {
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly password: string;
      readonly database: string;
      readonly ssl: false | { readonly rejectUnauthorized: boolean };
    };

/** Pure: the secret's credentials, aimed at `host` when given, with the TLS mode's `ssl` option. */
export function pgConfigFromSecret(
  secret: DatabaseSecret,
  options: { readonly host: string | undefined; readonly tls: DatabaseTlsMode },
): PgConnectionConfig {
  return {
    host: options.host ?? secret.host,
    port: secret.port,
    user: secret.username,
    password: secret.password,
    database: secret.dbname,
    ssl: options.tls === "disable" ? false : { rejectUnauthorized: options.tls === "verify-full" },
  };
}

export type FetchSecretString = (secretArn: string) => Promise<string>;

const secretCache = new Map<string, Promise<DatabaseSecret>>();

/**
 * The connection settings for `source`. A secret is fetched once per execution environment (per ARN) and
 * kept; a failed fetch is forgotten so the next cold path tries again.
 */
export async function databaseConnection(
  source: DatabaseSource,
  fetchSecret: FetchSecretString = fetchSecretFromSecretsManager,
): Promise<PgConnectionConfig> {
  if (source.kind === "url") return { connectionString: source.url };
  let secret = secretCache.get(source.secretArn);
  if (secret === undefined) {
    secret = fetchSecret(source.secretArn).then(
      (text) => parseDatabaseSecret(text, source.secretArn),
      (error: unknown) => {
        const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new DatabaseSecretError(`reading database secret ${source.secretArn} failed (${detail})`, {
          cause: error,
        });
      },
    );
    secretCache.set(source.secretArn, secret);
    secret.catch(() => secretCache.delete(source.secretArn));
  }
  return pgConfigFromSecret(await secret, { host: source.host, tls: source.tls });
}

async function fetchSecretFromSecretsManager(secretArn: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  // arn:aws:secretsmanager:<region>:<account>:secret:<name>; the secret lives in the ARN's region.
  const client = new SecretsManagerClient({ region: secretArn.split(":")[3] ?? "" });
  try {
    const response = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (response.SecretString === undefined)
      throw new DatabaseSecretError(`${secretArn} has no SecretString`);
    return response.SecretString;
  } finally {
    client.destroy();
  }
}
