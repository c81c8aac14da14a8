/** Rotation policies: get (Key Vault's default when there is none) and update, with the service's rules. */
import { daysOf, parseDuration } from "../durations";
import { badParameter } from "../errors";
import { rotationPolicyBody, type LifetimeAction } from "../model";
import { isObject, requireBody, seconds, type Reply } from "../requests";
import type { VaultOps } from "../vault-ops";

const ROTATION_MIN_EXPIRY_DAYS = 28;
const ROTATION_MIN_TRIGGER_DAYS = 7;
/** The Notify action Key Vault puts in every policy that has none (and answers for a key without a policy). */
export const DEFAULT_NOTIFY_BEFORE_EXPIRY = "P30D";

export function getRotationPolicy(dp: VaultOps, name: string): Reply {
    const vault = dp.vault;
    return { status: 200, body: rotationPolicyBody(dp.origin, dp.activeKey(vault, name)) };
}

export function updateRotationPolicy(dp: VaultOps, name: string): Reply {
    const vault = dp.vault;
    const key = dp.activeKey(vault, name);
    const body = requireBody(dp.req.body);
    const attrs = body.attributes === undefined || body.attributes === null ? {} : body.attributes;
    if (!isObject(attrs)) throw badParameter("attributes must be an object.");
    let expiryMs: number | undefined;
    let expiryTime: string | undefined;
    if (attrs.expiryTime !== undefined && attrs.expiryTime !== null) {
        expiryMs = parseDuration(attrs.expiryTime);
        if (expiryMs === undefined) throw badParameter(`attributes.expiryTime ${JSON.stringify(attrs.expiryTime)} is not an ISO 8601 duration such as P90D.`);
        if (daysOf(expiryMs) < ROTATION_MIN_EXPIRY_DAYS) throw badParameter(`attributes.expiryTime must be at least ${ROTATION_MIN_EXPIRY_DAYS} days (P${ROTATION_MIN_EXPIRY_DAYS}D); got ${attrs.expiryTime}.`);
        expiryTime = attrs.expiryTime as string;
    }
    const rawActions = body.lifetimeActions ?? [];
    if (!Array.isArray(rawActions)) throw badParameter("lifetimeActions must be an array.");
    const actions: LifetimeAction[] = rawActions.map((a, i) => {
        if (!isObject(a) || !isObject(a.trigger) || !isObject(a.action)) throw badParameter(`lifetimeActions[${i}] needs a trigger and an action.`);
        const type = typeof a.action.type === "string" ? { rotate: "Rotate" as const, notify: "Notify" as const }[a.action.type.toLowerCase()] : undefined;
        if (!type) throw badParameter(`lifetimeActions[${i}].action.type must be Rotate or Notify.`);
        const { timeAfterCreate, timeBeforeExpiry } = a.trigger as { timeAfterCreate?: unknown; timeBeforeExpiry?: unknown };
        const has = (x: unknown) => x !== undefined && x !== null;
        if (has(timeAfterCreate) === has(timeBeforeExpiry)) throw badParameter(`lifetimeActions[${i}].trigger needs exactly one of timeAfterCreate and timeBeforeExpiry.`);
        const field = has(timeAfterCreate) ? "timeAfterCreate" : "timeBeforeExpiry";
        const text = has(timeAfterCreate) ? timeAfterCreate : timeBeforeExpiry;
        const ms = parseDuration(text);
        if (ms === undefined) throw badParameter(`lifetimeActions[${i}].trigger.${field} ${JSON.stringify(text)} is not an ISO 8601 duration.`);
        if (daysOf(ms) < ROTATION_MIN_TRIGGER_DAYS) throw badParameter(`lifetimeActions[${i}].trigger.${field} must be at least ${ROTATION_MIN_TRIGGER_DAYS} days.`);
        if (type === "Notify" && field !== "timeBeforeExpiry") throw badParameter(`lifetimeActions[${i}]: a Notify action is triggered by timeBeforeExpiry.`);
        if (expiryMs !== undefined && ms >= expiryMs) throw badParameter(`lifetimeActions[${i}].trigger.${field} must be shorter than attributes.expiryTime.`);
        if (field === "timeBeforeExpiry" && expiryMs === undefined) throw badParameter(`lifetimeActions[${i}].trigger.timeBeforeExpiry needs attributes.expiryTime.`);
        return { trigger: { [field]: text as string }, action: { type } };
    });
    for (const t of ["Rotate", "Notify"]) if (actions.filter((a) => a.action.type === t).length > 1) throw badParameter(`A rotation policy has at most one ${t} action.`);
    // A policy without a Notify action gets the service's default one (recorded: a PUT of only Rotate answers both).
    if (!actions.some((a) => a.action.type === "Notify")) actions.push({ trigger: { timeBeforeExpiry: DEFAULT_NOTIFY_BEFORE_EXPIRY }, action: { type: "Notify" } });
    const now = seconds(dp.ctx.now());
    key.rotationPolicy = { lifetimeActions: actions, ...(expiryTime ? { expiryTime } : {}), created: key.rotationPolicy?.created ?? now, updated: now };
    return { status: 200, body: rotationPolicyBody(dp.origin, key) };
}
