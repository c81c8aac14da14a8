"use strict";
/**
 * The generated key hierarchy the preview and policy benchmarks run: `n` logical keys over AWS, GCP and Azure in
 * four domains (one per classification), with admins and users in every cloud so IAM resources appear.
 * Algorithms cycle through shapes every cloud supports: AES-256 with HSM protection (Azure: oct-HSM on the configured Managed HSM),
 * RSA-3072 encrypt, EC P-256 sign, RSA-3072 sign, and an AES-256 key on AWS+GCP only; every 10th key is a
 * multi-Region AWS key with one replica.
 */
const ACCOUNT = "111122223333";

const DOMAINS = [
    { name: "payments", classification: "restricted" },
    { name: "identity", classification: "confidential" },
    { name: "analytics", classification: "internal" },
    { name: "website", classification: "public" },
];

const SHAPES = [
    { purpose: "encrypt", algorithm: "AES_256", protection: "hsm" },
    { purpose: "encrypt", algorithm: "RSA_3072" },
    { purpose: "sign", algorithm: "EC_P256" },
    { purpose: "sign", algorithm: "RSA_3072" },
    { purpose: "encrypt", algorithm: "AES_256", clouds: ["aws", "gcp"] },
];

/**
 * For drift: shapes whose keys the emulators create without slow key generation (no RSA), since every key of the
 * stack is really created there before `keyfabric drift` reads it back.
 */
const DRIFT_SHAPES = [
    { purpose: "encrypt", algorithm: "AES_256", protection: "hsm" },
    { purpose: "sign", algorithm: "EC_P256" },
    { purpose: "encrypt", algorithm: "AES_256", clouds: ["aws", "gcp"] },
];

function hierarchySpec(n, shapes = SHAPES, name = "bench") {
    const domains = DOMAINS.map((d, di) => ({
        name: d.name,
        classification: d.classification,
        admins: {
            aws: [`arn:aws:iam::${ACCOUNT}:role/${d.name}-key-admins`],
            gcp: [`group:${d.name}-kms-admins@bench.example`],
            azure: [`group:${uuid(di, 1)}`],
        },
        users: {
            aws: [`arn:aws:iam::${ACCOUNT}:role/${d.name}-app`],
            gcp: [`serviceAccount:${d.name}-app@bench-keys.iam.gserviceaccount.com`],
            azure: [`servicePrincipal:${uuid(di, 2)}`],
        },
        keys: [],
    }));
    for (let i = 0; i < n; i++) {
        const shape = shapes[i % shapes.length];
        const key = { name: `key-${String(i).padStart(4, "0")}`, purpose: shape.purpose, algorithm: shape.algorithm };
        if (shape.clouds) key.clouds = shape.clouds;
        if (shape.protection) key.protection = shape.protection;
        if (shape.algorithm === "AES_256" && i % 10 === 0) Object.assign(key, { multiRegion: true, regions: { aws: ["us-west-2"] } });
        domains[i % domains.length].keys.push(key);
    }
    return {
        name,
        owner: "platform-security",
        clouds: {
            aws: { region: "us-east-1", accountId: ACCOUNT },
            gcp: { project: "bench-keys", location: "us-east1" },
            azure: {
                resourceGroupName: "rg-bench-keys",
                location: "eastus2",
                tenantId: "2b4c6d8e-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
                managedHsm: { name: "bench-mhsm" },
            },
        },
        defaults: { tags: { "cost-center": "bench" } },
        domains: domains.filter((d) => d.keys.length > 0),
    };
}

function uuid(a, b) {
    const hex = (x, len) => x.toString(16).padStart(len, "0");
    return `${hex(a, 8)}-${hex(b, 4)}-4${hex(a, 3)}-8${hex(b, 3)}-${hex(a * 31 + b, 12)}`;
}

module.exports = { hierarchySpec, SHAPES, DRIFT_SHAPES };
