/**
 * Public surface of the configuration: load it once at start-up, resolve the secrets it points to.
 */

export { loadConfig, loadConfigOrExit, CONFIG_ERROR_EXIT_STATUS, type LoadConfigInput } from "./load.js";
export { type Config, ConfigSchema, LIVE_CONFIRMATION } from "./schema.js";
export { ConfigError, type ConfigProblem } from "./errors.js";
export { type Endpoints, type Network, NETWORK_ENDPOINTS } from "./endpoints.js";
export { type SecretSource } from "./field-schemas.js";
export { Secret } from "./secret.js";
export {
  resolveSecret,
  resolvePrivateKey,
  describeSecretSource,
  SecretUnavailableError,
  type AwsSecretFetcher,
  type ResolveSecretOptions,
} from "./resolve-secret.js";
export { ENV_SETTINGS, CONFIG_FILE_VAR, knownSettingVarNames } from "./env-vars.js";
