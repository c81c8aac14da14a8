/**
 * Stack-level drift detection for key resources: `detectDrift(readStackExport(file), options)` and `renderDrift`.
 * What `keyfabric drift --state FILE` runs.
 */
export { detectDrift, dedupe, DEFAULT_CONCURRENCY, DEFAULT_EXPIRY_WARNING_DAYS } from "./engine";
export type { DriftOptions } from "./engine";
export { DriftSetupError, ROTATION_GRACE_DAYS } from "./context";
export { parseStackExport, readStackExport, StateError, isSecretValue, keyResourceCloud } from "./state";
export type { StackState, StateResource } from "./state";
export { renderDrift, DRIFT_FORMATS, MARKDOWN_MARKER } from "./render";
export type { DriftFormat } from "./render";
export { diffPolicies, normaliseStatement } from "./compare";
export * from "./types";
