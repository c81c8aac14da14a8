/**
 * Google Cloud data sources that read the cloud (or the credentials): plausible results with what was assumed.
 * Shapes follow @pulumi/gcp's result interfaces; ids follow terraform-provider-google:
 * google/services/resourcemanager/data_source_google_client_config.go (`projects/<p>/regions/<r>/zones/<z>`, the
 * provider's project/region/zone/default labels, an access token from the credentials),
 * data_source_google_project.go (`projects/<project_id>`), google/services/kms/data_source_google_kms_key_ring.go and
 * data_source_google_kms_crypto_key.go (the key ring / crypto key resource names).
 */
import { crc32 } from "./go-compat";
import { InvokeContext, InvokeOutcome, assumed, configJson, inputString, requireString } from "./types";

export const CLIENT_CONFIG_TOKEN = "gcp:organizations/getClientConfig:getClientConfig";
export const PROJECT_TOKEN = "gcp:organizations/getProject:getProject";
export const KEY_RING_TOKEN = "gcp:kms/getKMSKeyRing:getKMSKeyRing";
export const CRYPTO_KEY_TOKEN = "gcp:kms/getKMSCryptoKey:getKMSCryptoKey";

/** What `sdk/preview/mocks.ts` uses when a key ring has no project. */
export const ASSUMED_GCP_PROJECT = "mock-project";
export const PLACEHOLDER_ACCESS_TOKEN = "ya29.keyfabric-preview-placeholder";

function providerProject(ctx: InvokeContext): { project: string; note: string } {
    const p = ctx.config("gcp:project");
    return p ? { project: p, note: "" } : { project: ASSUMED_GCP_PROJECT, note: " (gcp:project is not set)" };
}

function stringMap(v: unknown): Record<string, string> {
    if (!v || typeof v !== "object" || Array.isArray(v)) return {};
    return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === "string")) as Record<string, string>;
}

export function clientConfig(ctx: InvokeContext): InvokeOutcome {
    const { project } = providerProject(ctx);
    const region = ctx.config("gcp:region") ?? "";
    const zone = ctx.config("gcp:zone") ?? "";
    const defaultLabels = stringMap(configJson(ctx, "gcp:defaultLabels"));
    const from = (key: string, label: string, value: string) => (value ? `${label} ${value} (${ctx.config(key) ? `from ${key}` : `assumed: ${key} is not set`})` : `no ${label} (${key} is not set)`);
    return assumed(
        CLIENT_CONFIG_TOKEN,
        { accessToken: PLACEHOLDER_ACCESS_TOKEN, defaultLabels, id: `projects/${project}/regions/${region}/zones/${zone}`, project, region, zone },
        `a placeholder access token ${PLACEHOLDER_ACCESS_TOKEN} assumed, with ${from("gcp:project", "project", project)}, ${from("gcp:region", "region", region)} and ${from("gcp:zone", "zone", zone)}`,
    );
}

/** A stable 12-digit project number. */
export function assumedProjectNumber(projectId: string): string {
    return String(100000000000 + ((crc32(`project:${projectId}`) * 209) % 899999999999));
}

export function project(inputs: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome {
    const given = inputString(inputs, "projectId");
    const { project: fromConfig, note } = providerProject(ctx);
    const projectId = given ?? fromConfig;
    const number = assumedProjectNumber(projectId);
    const result: Record<string, unknown> = {
        autoCreateNetwork: true,
        billingAccount: "",
        deletionPolicy: "PREVENT",
        effectiveLabels: {},
        folderId: "",
        id: `projects/${projectId}`,
        labels: {},
        name: projectId,
        number,
        orgId: "",
        projectId,
        pulumiLabels: {},
        tags: {},
    };
    return assumed(
        PROJECT_TOKEN,
        result,
        `project ${projectId}${given ? "" : note} assumed to exist with number ${number}, name ${projectId}, no organization, folder, billing account or labels`,
    );
}

export function keyRing(inputs: Record<string, unknown>, ctx: InvokeContext): InvokeOutcome {
    const name = requireString(KEY_RING_TOKEN, inputs, "name");
    const location = requireString(KEY_RING_TOKEN, inputs, "location");
    const given = inputString(inputs, "project");
    const { project: fromConfig, note } = providerProject(ctx);
    const proj = given ?? fromConfig;
    const id = `projects/${proj}/locations/${location}/keyRings/${name}`;
    return assumed(KEY_RING_TOKEN, { id, location, name, project: proj }, `key ring ${id}${given ? "" : note} assumed to exist`);
}

export function cryptoKey(inputs: Record<string, unknown>): InvokeOutcome {
    const ring = requireString(CRYPTO_KEY_TOKEN, inputs, "keyRing");
    const name = requireString(CRYPTO_KEY_TOKEN, inputs, "name");
    const id = `${ring}/cryptoKeys/${name}`;
    const result: Record<string, unknown> = {
        cryptoKeyBackend: "",
        deletionPolicy: "",
        destroyScheduledDuration: "2592000s",
        effectiveLabels: {},
        id,
        importOnly: false,
        keyAccessJustificationsPolicies: [],
        keyRing: ring,
        labels: {},
        name,
        primaries: [{ name: `${id}/cryptoKeyVersions/1`, state: "ENABLED" }],
        pulumiLabels: {},
        purpose: "ENCRYPT_DECRYPT",
        rotationPeriod: "",
        skipInitialVersionCreation: false,
        versionTemplates: [{ algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "SOFTWARE" }],
    };
    return assumed(
        CRYPTO_KEY_TOKEN,
        result,
        `crypto key ${id} assumed to exist as an ENCRYPT_DECRYPT GOOGLE_SYMMETRIC_ENCRYPTION SOFTWARE key with enabled primary version 1, no rotation period and a 2592000s destroy-scheduled duration`,
    );
}
