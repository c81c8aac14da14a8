/**
 * Stack-level drift detection for key resources: `detectDrift(readStackExport(file), options)` and `renderDrift`.
 * What `keyfabric drift --state FILE` runs.
 */
export { detectDrift, dedupe, DEFAULT_CONCURRENCY, DEFAULT_EXPIRY_WARNING_DAYS, DEFAULT_TIMEOUT_MS, DEFAULT_CALL_TIMEOUT_MS } from "./engine";
export type { DriftOptions } from "./engine";
export { CloudUnreachable, DeadlinePassed, DriftSetupError, ROTATION_GRACE_DAYS } from "./context";
export { parseStackExport, readStackExport, StateError, isSecretValue, keyResourceCloud, MAX_VALUE_DEPTH } from "./state";
export type { StackState, StateResource } from "./state";
export { renderDrift, errorLines, DRIFT_FORMATS, MARKDOWN_MARKER } from "./render";
export type { DriftFormat } from "./render";
export { diffPolicies, normaliseStatement } from "./compare";
export * from "./types";
