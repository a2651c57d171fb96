/**
 * Public surface of the control API: the contract executors implement, the record persistence ships, the
 * start-up token, and the routes the uWS host mounts (docs/control.md).
 */

export {
  ControlRefusedError,
  RUNTIME_SETTING_NAMES,
  type ControlState,
  type ControlTarget,
  type RuntimeSettingName,
  type RuntimeSettings,
  type RuntimeSettingsPatch,
} from "./controlTarget.js";
export {
  CONTROL_ACTOR_PREFIX,
  controlChangeColumns,
  type ControlAction,
  type ControlChange,
  type ControlChangeColumns,
  type ControlValues,
} from "./controlChange.js";
export {
  compileRuntimeSettings,
  runtimeSettingsOf,
  type CompiledRuntimeSettings,
} from "./runtimeSettings.js";
export { resolveControlToken } from "./controlToken.js";
export { BearerToken, ControlTokenUnusableError, MIN_CONTROL_TOKEN_LENGTH } from "./bearerToken.js";
export {
  CONTROL_DISABLED_ERROR,
  CONTROL_UNAVAILABLE_ERROR,
  DEFAULT_MAX_CONTROL_BODY_BYTES,
  mountControlRoutes,
  type ControlOptions,
} from "./controlRoutes.js";
export { ControlRequestError, MAX_REASON_LENGTH, type RequestProblem } from "./controlRequests.js";
