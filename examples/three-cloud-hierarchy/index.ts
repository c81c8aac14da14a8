import { KeyHierarchy } from "keyfabric";

const hierarchy = new KeyHierarchy("corp", {
    name: "corp",
    owner: "security-engineering",
    clouds: {
        aws: { region: "us-east-1", accountId: "444455556666" },
        gcp: { project: "corp-keys-prod", location: "us-east1" },
        azure: {
            resourceGroupName: "rg-keys-prod",
            location: "eastus2",
            tenantId: "2b4c6d8e-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
            managedHsm: { name: "corp-mhsm" },
            // The vault keyfabric creates is closed to public networks: clients reach it through this subnet.
            vault: { privateEndpoint: { subnetId: "/subscriptions/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b/resourceGroups/rg-net-prod/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/keys" } },
        },
    },
    // Every key's use is recorded: the organization's CloudTrail trail, Cloud KMS Data Access logs, AuditEvent logs of
    // the created vault and of the Managed HSM (includeExisting).
    audit: {
        aws: { trail: "external" },
        gcp: {},
        azure: { workspaceId: "/subscriptions/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b/resourceGroups/rg-sec/providers/Microsoft.OperationalInsights/workspaces/sec-logs", includeExisting: true },
    },
    // 90-day rotation in every cloud (AWS's shortest period, what CIS GCP asks); every key in an HSM (strict-hsm).
    defaults: { rotationDays: 90, protection: "hsm", tags: { environment: "prod" } },
    domains: [
        {
            name: "customer-data",
            classification: "restricted",
            regions: { aws: ["us-east-1", "us-west-2"], gcp: ["us-east1"], azure: ["eastus2"] },
            admins: {
                aws: ["arn:aws:iam::444455556666:role/KeyCustodians"],
                gcp: ["group:key-custodians@corp.example"],
                azure: ["group:7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a"],
            },
            users: {
                aws: ["arn:aws:iam::444455556666:role/CustomerApi"],
                gcp: ["serviceAccount:customer-api@corp-keys-prod.iam.gserviceaccount.com"],
                azure: ["servicePrincipal:3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"],
            },
            keys: [
                { name: "records", purpose: "encrypt", algorithm: "AES_256", multiRegion: true, regions: { aws: ["us-west-2"] } },
                { name: "documents-signing", purpose: "sign", algorithm: "RSA_3072" },
            ],
        },
        {
            name: "telemetry",
            classification: "internal",
            admins: { aws: ["arn:aws:iam::444455556666:role/KeyCustodians"], gcp: ["group:key-custodians@corp.example"] },
            keys: [{ name: "events", purpose: "encrypt", algorithm: "AES_256", clouds: ["aws", "gcp"] }],
        },
    ],
});

// Extra, additive grants on one logical key (grants that cannot apply throw).
const records = hierarchy.key("customer-data/records");
records.gcp!.grantEncryptDecrypt("serviceAccount:backup@corp-keys-prod.iam.gserviceaccount.com");
records.aws!.grantEncryptDecrypt("arn:aws:iam::444455556666:role/Backup");

export const keys = hierarchy.keys;
