/** The market registry: resolves configured coins to perp and spot legs from `meta` + `spotMeta`. */

export * from "./errors.js";
export * from "./expectations.js";
export * from "./market.js";
export * from "./registry.js";
export * from "./resolve.js";
