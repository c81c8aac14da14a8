/**
 * The ARM management plane for `Microsoft.KeyVault/vaults`, enough for drift checks, as `@azure/arm-keyvault` 5.0.0
 * calls it: get, createOrUpdate (PUT; answered 200/201 with `provisioningState: "Succeeded"` so the LRO poller
 * finishes on the first response), update (PATCH) and list by resource group or subscription.
 * Enforced like Azure: soft delete cannot be disabled, purge protection cannot be turned off once on, the
 * soft-delete retention (7–90 days) is fixed at creation.
 */
import { AzureError, armBadRequest } from "./errors";
import { armVaultBody, lower, type ArmRecord, type ArmVaultProperties, type NetworkAcls, type VaultRecord } from "./model";
import type { Reply, Request, Route } from "./dataplane";

export interface ArmContext {
    /** The vault named `name` (any resource group), if the emulator knows it. */
    findVault(name: string): VaultRecord | undefined;
    /** Creates the vault's data-plane state if needed. */
    ensureVault(name: string): VaultRecord;
    allVaults(): VaultRecord[];
    /** The subscription this emulator serves, when it was configured; otherwise any is accepted. */
    readonly subscriptionId?: string;
    now(): number;
}

const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const IP_RULE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(\/(\d{1,2}))?$/;
/** From this api-version on, new vaults use Azure RBAC unless told otherwise. */
const RBAC_DEFAULT_FROM = "2026-02-01";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const eq = (a: string | undefined, b: string) => a !== undefined && lower(a) === lower(b);

export function routeArm(req: Request, ctx: ArmContext): Route | undefined {
    const s = req.segments;
    if (!eq(s[0], "subscriptions") || !s[1]) return undefined;
    const sub = s[1];
    const arm = new Arm(ctx, req, sub);
    // /subscriptions/{sub}/providers/Microsoft.KeyVault/vaults
    if (s.length === 5 && eq(s[2], "providers") && eq(s[3], "Microsoft.KeyVault") && eq(s[4], "vaults") && req.method === "GET")
        return { operation: "armListVaultsBySubscription", run: () => arm.list(undefined) };
    if (!eq(s[2], "resourceGroups") || !s[3] || !eq(s[4], "providers") || !eq(s[5], "Microsoft.KeyVault") || !eq(s[6], "vaults")) return undefined;
    const rg = s[3];
    if (s.length === 7) return req.method === "GET" ? { operation: "armListVaults", run: () => arm.list(rg) } : undefined;
    if (s.length !== 8 || !s[7]) return undefined;
    const name = s[7];
    if (req.method === "GET") return { operation: "armGetVault", run: () => arm.get(rg, name) };
    if (req.method === "PUT") return { operation: "armPutVault", run: () => arm.put(rg, name) };
    if (req.method === "PATCH") return { operation: "armPatchVault", run: () => arm.patch(rg, name) };
    return undefined;
}

class Arm {
    constructor(
        private readonly ctx: ArmContext,
        private readonly req: Request,
        private readonly sub: string,
    ) {}

    private checkSubscription(): void {
        if (this.ctx.subscriptionId && lower(this.ctx.subscriptionId) !== lower(this.sub)) throw new AzureError(404, "SubscriptionNotFound", `The subscription '${this.sub}' could not be found.`);
    }

    private notFound(rg: string, name: string): AzureError {
        return new AzureError(404, "ResourceNotFound", `The Resource 'Microsoft.KeyVault/vaults/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
    }

    private owned(rg: string, name: string): VaultRecord | undefined {
        const v = this.ctx.findVault(name);
        if (!v?.arm) return undefined;
        return lower(v.arm.subscriptionId) === lower(this.sub) && lower(v.arm.resourceGroup) === lower(rg) ? v : undefined;
    }

    get(rg: string, name: string): Reply {
        this.checkSubscription();
        const v = this.owned(rg, name);
        if (!v) throw this.notFound(rg, name);
        return { status: 200, body: armVaultBody(v) };
    }

    list(rg: string | undefined): Reply {
        this.checkSubscription();
        const value = this.ctx
            .allVaults()
            .filter((v) => v.arm && lower(v.arm.subscriptionId) === lower(this.sub) && (rg === undefined || lower(v.arm.resourceGroup) === lower(rg)))
            .sort((a, b) => (lower(a.name) < lower(b.name) ? -1 : 1))
            .map(armVaultBody);
        return { status: 200, body: { value } };
    }

    put(rg: string, name: string): Reply {
        this.checkSubscription();
        if (!VAULT_NAME.test(name) || name.includes("--")) throw armBadRequest(`The vault name '${name}' is invalid: 3-24 letters, digits and single dashes, starting with a letter and ending with a letter or digit.`, "VaultNameNotValid");
        const body = this.req.body;
        if (!isObject(body)) throw armBadRequest("The request body must be a JSON object.", "InvalidRequestContent");
        if (typeof body.location !== "string" || !body.location) throw armBadRequest("The 'location' property is required.", "LocationRequired");
        if (!isObject(body.properties)) throw armBadRequest("The 'properties' property is required.", "InvalidRequestContent");
        const tags = parseTags(body.tags);
        const existing = this.ctx.findVault(name);
        if (existing?.arm && !this.owned(rg, name))
            throw new AzureError(409, "VaultAlreadyExists", `The vault name '${name}' is already in use. Vault names are globally unique so it is possible that the name is already taken.`);
        if (existing?.arm && lower(existing.arm.location).replace(/\s/g, "") !== lower(body.location).replace(/\s/g, ""))
            throw new AzureError(
                409,
                "InvalidResourceLocation",
                `The resource '${name}' already exists in location '${existing.arm.location}' in resource group '${existing.arm.resourceGroup}'. A resource with the same name cannot be created in location '${body.location}'.`,
            );
        const previous = existing?.arm?.properties;
        const p = body.properties;
        if (typeof p.tenantId !== "string" || !GUID.test(p.tenantId)) throw armBadRequest("properties.tenantId must be the GUID of the tenant.");
        const properties = validateProperties(
            {
                tenantId: p.tenantId,
                sku: parseSku(p.sku, true)!,
                accessPolicies: parseAccessPolicies(p.accessPolicies) ?? [],
                enabledForDeployment: parseBool(p.enabledForDeployment, "enabledForDeployment") ?? false,
                enabledForDiskEncryption: parseBool(p.enabledForDiskEncryption, "enabledForDiskEncryption") ?? false,
                enabledForTemplateDeployment: parseBool(p.enabledForTemplateDeployment, "enabledForTemplateDeployment") ?? false,
                enableSoftDelete: parseBool(p.enableSoftDelete, "enableSoftDelete") ?? true,
                softDeleteRetentionInDays: parseRetention(p.softDeleteRetentionInDays) ?? previous?.softDeleteRetentionInDays ?? 90,
                enableRbacAuthorization: parseBool(p.enableRbacAuthorization, "enableRbacAuthorization") ?? previous?.enableRbacAuthorization ?? this.rbacDefault(),
                ...purgeProtection(parseBool(p.enablePurgeProtection, "enablePurgeProtection"), previous),
                ...(p.networkAcls !== undefined && p.networkAcls !== null ? { networkAcls: parseNetworkAcls(p.networkAcls) } : {}),
                publicNetworkAccess: parsePublicNetworkAccess(p.publicNetworkAccess) ?? "Enabled",
            },
            previous,
        );
        const now = this.ctx.now();
        const vault = this.ctx.ensureVault(name);
        const created = !vault.arm;
        const record: ArmRecord = {
            subscriptionId: this.sub,
            resourceGroup: vault.arm?.resourceGroup ?? rg,
            location: vault.arm?.location ?? body.location,
            ...(tags ? { tags } : {}),
            properties,
            createdAt: vault.arm?.createdAt ?? now,
            updatedAt: now,
        };
        vault.arm = record;
        return { status: created ? 201 : 200, body: armVaultBody(vault) };
    }

    patch(rg: string, name: string): Reply {
        this.checkSubscription();
        const vault = this.owned(rg, name);
        if (!vault?.arm) throw this.notFound(rg, name);
        const body = this.req.body;
        if (!isObject(body)) throw armBadRequest("The request body must be a JSON object.", "InvalidRequestContent");
        const tags = body.tags === undefined ? undefined : parseTags(body.tags);
        const p = body.properties === undefined || body.properties === null ? {} : body.properties;
        if (!isObject(p)) throw armBadRequest("properties must be an object.");
        const cur = vault.arm.properties;
        if (p.tenantId !== undefined && (typeof p.tenantId !== "string" || !GUID.test(p.tenantId))) throw armBadRequest("properties.tenantId must be the GUID of the tenant.");
        const pick = <T>(v: T | undefined, fallback: T) => (v === undefined ? fallback : v);
        const properties = validateProperties(
            {
                tenantId: pick(p.tenantId as string | undefined, cur.tenantId),
                sku: pick(parseSku(p.sku, false), cur.sku),
                accessPolicies: pick(parseAccessPolicies(p.accessPolicies), cur.accessPolicies),
                enabledForDeployment: pick(parseBool(p.enabledForDeployment, "enabledForDeployment"), cur.enabledForDeployment),
                enabledForDiskEncryption: pick(parseBool(p.enabledForDiskEncryption, "enabledForDiskEncryption"), cur.enabledForDiskEncryption),
                enabledForTemplateDeployment: pick(parseBool(p.enabledForTemplateDeployment, "enabledForTemplateDeployment"), cur.enabledForTemplateDeployment),
                enableSoftDelete: pick(parseBool(p.enableSoftDelete, "enableSoftDelete"), cur.enableSoftDelete),
                softDeleteRetentionInDays: pick(parseRetention(p.softDeleteRetentionInDays), cur.softDeleteRetentionInDays),
                enableRbacAuthorization: pick(parseBool(p.enableRbacAuthorization, "enableRbacAuthorization"), cur.enableRbacAuthorization),
                ...purgeProtection(parseBool(p.enablePurgeProtection, "enablePurgeProtection"), cur),
                ...(p.networkAcls !== undefined && p.networkAcls !== null ? { networkAcls: parseNetworkAcls(p.networkAcls) } : cur.networkAcls ? { networkAcls: cur.networkAcls } : {}),
                publicNetworkAccess: pick(parsePublicNetworkAccess(p.publicNetworkAccess), cur.publicNetworkAccess),
            },
            cur,
        );
        vault.arm.properties = properties;
        if (tags !== undefined) vault.arm.tags = tags;
        vault.arm.updatedAt = this.ctx.now();
        return { status: 200, body: armVaultBody(vault) };
    }

    private rbacDefault(): boolean {
        const v = this.req.query.get("api-version") ?? "";
        return /^\d{4}-\d{2}-\d{2}/.test(v) && v >= RBAC_DEFAULT_FROM;
    }
}

/** The rules Azure enforces between the old and the new properties. */
function validateProperties(next: ArmVaultProperties, previous: ArmVaultProperties | undefined): ArmVaultProperties {
    // The REST reference: "If it's not set to any value (true or false) when creating new key vault, it will be set
    // to true by default. Once set to true, it cannot be reverted to false." A vault created without it (as older
    // api-versions allowed) deletes keys for good.
    if (previous?.enableSoftDelete && !next.enableSoftDelete)
        throw armBadRequest('The property "enableSoftDelete" cannot be set to false. Enabling the \'soft delete\' functionality is an irreversible action.');
    if (!next.enableSoftDelete && next.enablePurgeProtection) throw armBadRequest('The property "enablePurgeProtection" needs "enableSoftDelete": purge protection is effective only if soft delete is also enabled.');
    if (previous && previous.softDeleteRetentionInDays !== next.softDeleteRetentionInDays)
        throw armBadRequest(`The property "softDeleteRetentionInDays" cannot be changed after the vault was created (it is ${previous.softDeleteRetentionInDays}).`);
    return next;
}

function purgeProtection(value: boolean | undefined, previous: ArmVaultProperties | undefined): { enablePurgeProtection?: boolean } {
    if (previous?.enablePurgeProtection === true) {
        if (value === false) throw armBadRequest('The property "enablePurgeProtection" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.');
        return { enablePurgeProtection: true };
    }
    if (value === undefined) return previous?.enablePurgeProtection !== undefined ? { enablePurgeProtection: previous.enablePurgeProtection } : {};
    return { enablePurgeProtection: value };
}

function parseBool(v: unknown, field: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") throw armBadRequest(`properties.${field} must be a boolean.`);
    return v;
}

function parseRetention(v: unknown): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 7 || v > 90) throw armBadRequest(`properties.softDeleteRetentionInDays must be an integer from 7 to 90 (got ${JSON.stringify(v)}).`);
    return v;
}

function parseSku(v: unknown, required: boolean): ArmVaultProperties["sku"] | undefined {
    if (v === undefined || v === null) {
        if (required) throw armBadRequest("properties.sku is required.");
        return undefined;
    }
    if (!isObject(v)) throw armBadRequest("properties.sku must be an object.");
    const family = v.family ?? "A";
    if (family !== "A") throw armBadRequest(`properties.sku.family must be "A" (got ${JSON.stringify(family)}).`);
    const name = typeof v.name === "string" ? lower(v.name) : undefined;
    if (name !== "standard" && name !== "premium") throw armBadRequest(`properties.sku.name must be "standard" or "premium" (got ${JSON.stringify(v.name)}).`);
    return { family: "A", name };
}

function parseAccessPolicies(v: unknown): unknown[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((e) => !isObject(e))) throw armBadRequest("properties.accessPolicies must be an array of access policy entries.");
    return structuredClone(v);
}

function parsePublicNetworkAccess(v: unknown): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || !["enabled", "disabled"].includes(lower(v))) throw armBadRequest('properties.publicNetworkAccess must be "Enabled" or "Disabled".');
    return lower(v) === "enabled" ? "Enabled" : "Disabled";
}

function parseNetworkAcls(v: unknown): NetworkAcls {
    if (!isObject(v)) throw armBadRequest("properties.networkAcls must be an object.");
    const defaultAction = v.defaultAction ?? "Allow";
    if (defaultAction !== "Allow" && defaultAction !== "Deny") throw armBadRequest('properties.networkAcls.defaultAction must be "Allow" or "Deny".');
    const bypass = v.bypass ?? "AzureServices";
    if (bypass !== "AzureServices" && bypass !== "None") throw armBadRequest('properties.networkAcls.bypass must be "AzureServices" or "None".');
    const ipRules = v.ipRules ?? [];
    if (!Array.isArray(ipRules)) throw armBadRequest("properties.networkAcls.ipRules must be an array.");
    for (const r of ipRules) {
        const m = isObject(r) && typeof r.value === "string" ? IP_RULE.exec(r.value) : null;
        if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || (m[6] !== undefined && Number(m[6]) > 32))
            throw armBadRequest(`properties.networkAcls.ipRules: ${JSON.stringify(isObject(r) ? r.value : r)} is not an IPv4 address or CIDR range.`);
    }
    const vnets = v.virtualNetworkRules ?? [];
    if (!Array.isArray(vnets) || vnets.some((r) => !isObject(r) || typeof r.id !== "string" || !r.id))
        throw armBadRequest("properties.networkAcls.virtualNetworkRules must be an array of {id} subnet resource IDs.");
    return {
        defaultAction,
        bypass,
        ipRules: ipRules.map((r: { value: string }) => ({ value: r.value })),
        virtualNetworkRules: vnets.map((r: { id: string; ignoreMissingVnetServiceEndpoint?: unknown }) => ({
            id: r.id,
            ...(typeof r.ignoreMissingVnetServiceEndpoint === "boolean" ? { ignoreMissingVnetServiceEndpoint: r.ignoreMissingVnetServiceEndpoint } : {}),
        })),
    };
}

function parseTags(v: unknown): Record<string, string> | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObject(v) || Object.values(v).some((t) => typeof t !== "string")) throw armBadRequest("tags must be an object of strings.", "InvalidRequestContent");
    return { ...(v as Record<string, string>) };
}
