/**
 * The stack the drift tests deploy (under mocks) and seed into the emulators: a three-cloud hierarchy with a
 * multi-Region AWS key and replica, aliases, GCP keys with IAM members, BYOK material in all three clouds with an
 * AWS expiry, a Key Vault key with a rotation policy, and a Managed HSM AES key with its rotation policy.
 */
import { KeyHierarchy } from "../../sdk/hierarchy";
import { HierarchySpec } from "../../sdk/schema/schema";

export const ACCOUNT = "111122223333";
export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const ADMIN_ARN = `arn:aws:iam::${ACCOUNT}:role/KeyAdmins`;
export const APP_ARN = `arn:aws:iam::${ACCOUNT}:role/App`;
export const GCP_ADMIN = "group:kms-admins@acme.example";
export const GCP_USER = "serviceAccount:app@acme-drift.iam.gserviceaccount.com";
export const DAY = 86_400_000;

export function driftSpec(now: number): HierarchySpec {
    return {
        name: "acme",
        owner: "platform-security",
        clouds: {
            aws: { region: "eu-west-1", accountId: ACCOUNT },
            gcp: { project: "acme-drift", location: "europe-west1" },
            azure: { resourceGroupName: "rg-keys", location: "westeurope", tenantId: TENANT, managedHsm: { name: "acme-hsm" } },
        },
        defaults: { tags: { "cost-center": "sec-001" } },
        domains: [
            {
                name: "payments",
                classification: "restricted",
                regions: { aws: ["eu-west-1", "eu-central-1"], gcp: ["europe-west1"], azure: ["westeurope"] },
                admins: { aws: [ADMIN_ARN], gcp: [GCP_ADMIN] },
                users: { aws: [APP_ARN], gcp: [GCP_USER] },
                rotationDays: 90,
                keys: [
                    { name: "card-data", purpose: "encrypt", algorithm: "AES_256", clouds: ["aws", "gcp"], multiRegion: true, regions: { aws: ["eu-central-1"] } },
                    { name: "signing", purpose: "sign", algorithm: "EC_P384", clouds: ["aws", "gcp", "azure"] },
                    { name: "kek", purpose: "encrypt", algorithm: "AES_256", origin: "byok", clouds: ["aws", "gcp"], material: { env: "KF_DRIFT_KEK" }, validTo: new Date(now + 200 * DAY).toISOString() },
                    { name: "vault-data", purpose: "encrypt", algorithm: "AES_256", clouds: ["azure"] },
                ],
            },
            {
                name: "legacy",
                classification: "internal",
                keys: [{ name: "signer", purpose: "sign", algorithm: "EC_P256", origin: "byok", clouds: ["azure"], material: { env: "KF_DRIFT_SIGNER" } }],
            },
        ],
    };
}

export const program = (now: number) => () => ({ keys: new KeyHierarchy("kf", driftSpec(now)).keys });
