/**
 * Out-of-band changes, one at a time, each made through the official SDKs against emulators seeded as the deployment
 * left them: each is reported exactly once, with the right kind and values; without a change, nothing is reported.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import { nameOf } from "../../sdk/drift/state";
import { FINDING_KINDS } from "../../sdk/drift";
import { DAY, GCP_USER } from "./fixture";
import { Baseline, deployBaseline, kinds, scenario, World } from "./world";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

let base: Baseline;
beforeAll(async () => {
    base = await deployBaseline();
});

const RING = "projects/acme-drift/locations/europe-west1/keyRings/acme-payments";
const HSM = "https://acme-hsm.managedhsm.azure.net";
/** Azure keeps times in whole seconds. */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
const arnOf = (w: World, name: string) => w.r(name).outputs.arn as string;
const vaultUrlOf = (w: World, name: string) => String(w.r(name).outputs.keyUri ?? w.r(name).outputs.vaultUrl).replace(/\/keys\/.*$/, "");
const only = (report: Awaited<ReturnType<typeof scenario>>) => {
    expect(report.findings).toHaveLength(1);
    return report.findings[0];
};

test("no out-of-band change: no finding, every key resource checked", async () => {
    const report = await scenario(base, async () => undefined);
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ resources: 25, checked: 25, skipped: 0, findings: 0 });
    expect(report.summary.calls).toBeGreaterThan(25);
    expect(report.skipped).toEqual([]);
});

describe("AWS KMS", () => {
    test("key disabled", async () => {
        const report = await scenario(base, async (w) => {
            await w.aws().send(new kms.DisableKeyCommand({ KeyId: arnOf(w, "kf-payments-signing-aws-key") }));
        });
        expect(kinds(report)).toEqual(["kf-payments-signing-aws-key key-disabled"]);
        expect(only(report)).toMatchObject({ cloud: "aws", type: "aws:kms/key:Key", severity: "high", expected: { keyState: "Enabled" }, actual: { keyState: "Disabled" } });
    });

    test("key scheduled for deletion, with its date", async () => {
        const report = await scenario(base, async (w) => {
            await w.aws().send(new kms.ScheduleKeyDeletionCommand({ KeyId: arnOf(w, "kf-payments-card-data-aws-key"), PendingWindowInDays: 7 }));
        });
        expect(kinds(report)).toEqual(["kf-payments-card-data-aws-key key-pending-deletion"]);
        const f = only(report);
        expect(f).toMatchObject({ severity: "critical", actual: { keyState: "PendingDeletion", deletionDate: new Date(base.t0 + 7 * DAY).toISOString() } });
        expect(f.message).toContain("in 7 days");
    });

    test("rotation disabled", async () => {
        const report = await scenario(base, async (w) => {
            await w.aws().send(new kms.DisableKeyRotationCommand({ KeyId: arnOf(w, "kf-payments-card-data-aws-key") }));
        });
        expect(kinds(report)).toEqual(["kf-payments-card-data-aws-key rotation-disabled"]);
        expect(only(report)).toMatchObject({ expected: { enableKeyRotation: true, rotationPeriodInDays: 90 }, actual: { enableKeyRotation: false } });
    });

    test("rotation period changed", async () => {
        const report = await scenario(base, async (w) => {
            await w.aws().send(new kms.EnableKeyRotationCommand({ KeyId: arnOf(w, "kf-payments-card-data-aws-key"), RotationPeriodInDays: 365 }));
        });
        expect(kinds(report)).toEqual(["kf-payments-card-data-aws-key rotation-period-changed"]);
        expect(only(report)).toMatchObject({ severity: "medium", expected: { rotationPeriodInDays: 90 }, actual: { rotationPeriodInDays: 365 } });
    });

    test("key policy widened: the statement's Sid is named", async () => {
        const report = await scenario(base, async (w) => {
            const KeyId = arnOf(w, "kf-payments-signing-aws-key");
            const doc = JSON.parse((await w.aws().send(new kms.GetKeyPolicyCommand({ KeyId }))).Policy!);
            // Reformatted and reordered by the console: not a change. A new statement and a widened one: changes.
            doc.Statement.reverse();
            doc.Statement.push({ Sid: "PartnerAccess", Effect: "Allow", Principal: { AWS: "arn:aws:iam::999988887777:root" }, Action: "kms:Sign", Resource: "*" });
            const users = doc.Statement.find((s: any) => s.Sid === "KeySigners");
            users.Principal.AWS = [...users.Principal.AWS, "arn:aws:iam::111122223333:role/Intern"];
            await w.aws().send(new kms.PutKeyPolicyCommand({ KeyId, Policy: JSON.stringify(doc, null, 4) }));
        });
        expect(kinds(report)).toEqual(["kf-payments-signing-aws-key key-policy-changed"]);
        const f = only(report);
        expect(f.actual).toMatchObject({ added: ["PartnerAccess"], removed: [], changed: ["KeySigners"] });
        expect(f.message).toBe(`the key policy of Key ${base.seeded.byName("kf-payments-signing-aws-key").outputs.arn} changed: statements added "PartnerAccess"; changed "KeySigners"`);
        expect((f.expected as any).statements.KeySigners.Principal.AWS).not.toContain("arn:aws:iam::111122223333:role/Intern");
    });

    test("key policy opened to everyone: public-access, once", async () => {
        const report = await scenario(base, async (w) => {
            const KeyId = arnOf(w, "kf-payments-card-data-aws-key");
            const doc = JSON.parse((await w.aws().send(new kms.GetKeyPolicyCommand({ KeyId }))).Policy!);
            doc.Statement.push({ Sid: "Everyone", Effect: "Allow", Principal: "*", Action: ["kms:Decrypt"], Resource: "*" });
            await w.aws().send(new kms.PutKeyPolicyCommand({ KeyId, Policy: JSON.stringify(doc) }));
        });
        expect(kinds(report)).toEqual(["kf-payments-card-data-aws-key public-access"]);
        expect(only(report)).toMatchObject({ severity: "critical", actual: { added: ["Everyone"] } });
    });

    test("alias deleted; alias pointed at another key", async () => {
        const deleted = await scenario(base, async (w) => {
            await w.aws().send(new kms.DeleteAliasCommand({ AliasName: "alias/acme/payments/signing" }));
        });
        expect(kinds(deleted)).toEqual(["kf-payments-signing-aws-alias-acme/payments/signing alias-missing"]);
        expect(only(deleted)).toMatchObject({ type: "aws:kms/alias:Alias", expected: { name: "alias/acme/payments/signing" }, actual: null });

        let kekId = "";
        const retargeted = await scenario(base, async (w) => {
            kekId = w.r("kf-payments-kek-aws-key").outputs.keyId;
            await w.aws().send(new kms.UpdateAliasCommand({ AliasName: "alias/acme/payments/card-data", TargetKeyId: kekId }));
        });
        expect(kinds(retargeted)).toEqual(["kf-payments-card-data-aws-alias-acme/payments/card-data alias-retargeted"]);
        expect(only(retargeted).actual).toMatchObject({ targetKeyId: kekId });
    });

    test("imported material deleted: material-missing once, on the import", async () => {
        const report = await scenario(base, async (w) => {
            await w.aws().send(new kms.DeleteImportedKeyMaterialCommand({ KeyId: arnOf(w, "kf-payments-kek-aws-key") }));
        });
        expect(kinds(report)).toEqual(["kf-payments-kek-aws-material material-missing"]);
        expect(only(report)).toMatchObject({ severity: "critical", type: "pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial", actual: { keyState: "PendingImport" } });
    });

    test("tags added, removed and changed", async () => {
        const report = await scenario(base, async (w) => {
            const KeyId = arnOf(w, "kf-payments-signing-aws-key");
            await w.aws().send(new kms.TagResourceCommand({ KeyId, Tags: [{ TagKey: "owner", TagValue: "mallory" }, { TagKey: "keyfabric:owner", TagValue: "someone-else" }] }));
            await w.aws().send(new kms.UntagResourceCommand({ KeyId, TagKeys: ["cost-center"] }));
        });
        expect(kinds(report)).toEqual(["kf-payments-signing-aws-key tags-changed"]);
        const f = only(report);
        expect(f.message).toBe(`tags of Key ${base.seeded.byName("kf-payments-signing-aws-key").outputs.arn} changed: tags added: "owner"; tags removed: "cost-center"; tags changed: "keyfabric:owner"`);
        expect(f.actual).toMatchObject({ owner: "mallory", "keyfabric:owner": "someone-else" });
    });

    test("a replica disabled in its region", async () => {
        const report = await scenario(base, async (w) => {
            await w.aws("eu-central-1").send(new kms.DisableKeyCommand({ KeyId: arnOf(w, "kf-payments-card-data-aws-replica-eu-central-1") }));
        });
        expect(kinds(report)).toEqual(["kf-payments-card-data-aws-replica-eu-central-1 key-disabled"]);
    });

    test("rotation off and the cryptoperiod passed: disabled and overdue", async () => {
        const report = await scenario(base, async (w) => {
            await w.aws().send(new kms.DisableKeyRotationCommand({ KeyId: arnOf(w, "kf-payments-card-data-aws-key") }));
            w.advanceDays(95);
        });
        const aws = report.findings.filter((f) => f.cloud === "aws").map((f) => `${nameOf(f.urn)} ${f.kind}`);
        expect(aws.sort()).toEqual(["kf-payments-card-data-aws-key rotation-disabled", "kf-payments-card-data-aws-key rotation-overdue"]);
        expect(report.findings.find((f) => f.kind === "rotation-overdue" && f.cloud === "aws")!.actual).toEqual({ dueSince: new Date(base.t0 + 90 * DAY).toISOString() });
    });
});

describe("Cloud KMS", () => {
    test("primary version scheduled for destruction: version-destroyed once, with the date", async () => {
        const report = await scenario(base, async (w) => {
            await w.gcp().destroyCryptoKeyVersion({ name: `${RING}/cryptoKeys/card-data/cryptoKeyVersions/1` });
        });
        expect(kinds(report)).toEqual(["kf-payments-card-data-gcp-key version-destroyed"]);
        expect(only(report)).toMatchObject({ cloud: "gcp", actual: { state: "DESTROY_SCHEDULED", destroyTime: new Date(base.t0 + 30 * DAY).toISOString() } });
    });

    test("imported version destroyed: once, on the import", async () => {
        const report = await scenario(base, async (w) => {
            await w.gcp().destroyCryptoKeyVersion({ name: `${RING}/cryptoKeys/kek/cryptoKeyVersions/1` });
        });
        expect(kinds(report)).toEqual(["kf-payments-kek-gcp-material version-destroyed"]);
    });

    test("primary changed: a version imported outside keyfabric on a key that does not rotate", async () => {
        const report = await scenario(base, async (w) => {
            const { importGcpVersion } = await import("../../sdk/byok/gcp");
            await importGcpVersion({ cryptoKey: `${RING}/cryptoKeys/kek`, material: require("crypto").randomBytes(32), env: w.env });
        });
        expect(kinds(report)).toEqual(["kf-payments-kek-gcp-key primary-changed"]);
        expect(only(report)).toMatchObject({ expected: { primary: `${RING}/cryptoKeys/kek/cryptoKeyVersions/1` }, actual: { primary: `${RING}/cryptoKeys/kek/cryptoKeyVersions/2` } });
    });

    test("rotation disabled; rotation period changed", async () => {
        const off = await scenario(base, async (w) => {
            await w.gcp().updateCryptoKey({ cryptoKey: { name: `${RING}/cryptoKeys/card-data` }, updateMask: { paths: ["rotation_period"] } });
        });
        expect(kinds(off)).toEqual(["kf-payments-card-data-gcp-key rotation-disabled"]);
        expect(only(off)).toMatchObject({ expected: { rotationPeriod: `${90 * 86400}s` }, actual: { rotationPeriod: null } });

        const longer = await scenario(base, async (w) => {
            await w.gcp().updateCryptoKey({
                cryptoKey: { name: `${RING}/cryptoKeys/card-data`, rotationPeriod: { seconds: 400 * 86400 }, nextRotationTime: { seconds: Math.floor(w.clock.now() / 1000) + 400 * 86400 } },
                updateMask: { paths: ["rotation_period", "next_rotation_time"] },
            });
        });
        expect(kinds(longer)).toEqual(["kf-payments-card-data-gcp-key rotation-period-changed"]);
        expect(only(longer)).toMatchObject({ severity: "medium", actual: { rotationPeriod: `${400 * 86400}s` } });
    });

    test("IAM: a public member, a foreign member, a removed member", async () => {
        const report = await scenario(base, async (w) => {
            const resource = `${RING}/cryptoKeys/signing`;
            const [policy] = await w.gcp().getIamPolicy({ resource } as any);
            const bindings = (policy.bindings ?? []).map((b) => ({ role: b.role!, members: (b.members ?? []).filter((m) => m !== GCP_USER) })).filter((b) => b.members.length > 0);
            bindings.push({ role: "roles/cloudkms.publicKeyViewer", members: ["allUsers"] });
            bindings.push({ role: "roles/cloudkms.signerVerifier", members: ["user:eve@evil.example"] });
            await w.gcp().setIamPolicy({ resource, policy: { bindings } } as any);
        });
        expect(kinds(report)).toEqual([
            "kf-payments-signing-gcp-key iam-member-added",
            "kf-payments-signing-gcp-key iam-member-removed",
            "kf-payments-signing-gcp-key public-access",
        ]);
        const by = (k: string) => report.findings.find((f) => f.kind === k)!;
        expect(by("public-access")).toMatchObject({ severity: "critical", actual: { role: "roles/cloudkms.publicKeyViewer", member: "allUsers" } });
        expect(by("iam-member-added")).toMatchObject({ severity: "high", actual: { role: "roles/cloudkms.signerVerifier", member: "user:eve@evil.example" } });
        expect(by("iam-member-added").message).toContain("evil.example is a foreign domain");
        expect(by("iam-member-removed")).toMatchObject({ expected: { role: "roles/cloudkms.signerVerifier", member: GCP_USER } });
    });

    test("a public member on the key ring: reported once, on the ring", async () => {
        const report = await scenario(base, async (w) => {
            await w.gcp().setIamPolicy({ resource: RING, policy: { bindings: [{ role: "roles/cloudkms.viewer", members: ["allAuthenticatedUsers"] }] } } as any);
        });
        expect(kinds(report)).toEqual(["kf-payments-ring-europe-west1 public-access"]);
        expect(only(report).actual).toEqual({ role: "roles/cloudkms.viewer", member: "allAuthenticatedUsers" });
    });

    test("a key ring not in state (given by id): a public member on it is reported once, on its first key", async () => {
        const report = await scenario(base, async (w) => {
            w.exported.deployment.resources = w.exported.deployment.resources.filter((r) => !r.urn.endsWith("::kf-payments-ring-europe-west1"));
            await w.gcp().setIamPolicy({ resource: RING, policy: { bindings: [{ role: "roles/cloudkms.cryptoKeyDecrypter", members: ["allUsers", "user:ops@acme.example"] }] } } as any);
        });
        // (Members other than public ones are not reported: with the ring outside the stack, nothing says which are expected.)
        expect(kinds(report)).toEqual(["kf-payments-card-data-gcp-key public-access"]);
        expect(only(report).message).toBe("allUsers has roles/cloudkms.cryptoKeyDecrypter on key ring keyRings/acme-payments: everyone can use it");
    });

    test("labels changed", async () => {
        const report = await scenario(base, async (w) => {
            const name = `${RING}/cryptoKeys/signing`;
            const [key] = await w.gcp().getCryptoKey({ name });
            await w.gcp().updateCryptoKey({ cryptoKey: { name, labels: { ...key.labels, env: "prod", "keyfabric-owner": "nobody" } }, updateMask: { paths: ["labels"] } });
        });
        expect(kinds(report)).toEqual(["kf-payments-signing-gcp-key labels-changed"]);
        expect(only(report).message).toContain('labels added: "env"; labels changed: "keyfabric-owner"');
    });
});

describe("Azure", () => {
    test("Key Vault key disabled", async () => {
        const report = await scenario(base, async (w) => {
            const c = w.azureKeys(vaultUrlOf(w, "kf-payments-signing-azure-key"));
            await c.updateKeyProperties("payments-signing", { enabled: false });
        });
        expect(kinds(report)).toEqual(["kf-payments-signing-azure-key key-disabled"]);
        expect(only(report)).toMatchObject({ cloud: "azure", expected: { enabled: true }, actual: { enabled: false } });
    });

    test("key deleted: missing, soft-deleted, with the purge date", async () => {
        const report = await scenario(base, async (w) => {
            const poller = await w.azureKeys(vaultUrlOf(w, "kf-payments-signing-azure-key")).beginDeleteKey("payments-signing");
            await poller.pollUntilDone();
        });
        expect(kinds(report)).toEqual(["kf-payments-signing-azure-key resource-missing"]);
        expect(only(report).actual).toMatchObject({ deleted: true, scheduledPurgeDate: isoSeconds(base.t0 + 90 * DAY) });
    });

    test("an expiry set out of band: validity changed; inside the window: expiring (once)", async () => {
        const far = await scenario(base, async (w) => {
            await w.azureKeys(vaultUrlOf(w, "kf-payments-signing-azure-key")).updateKeyProperties("payments-signing", { expiresOn: new Date(base.t0 + 400 * DAY) });
        });
        expect(kinds(far)).toEqual(["kf-payments-signing-azure-key key-validity-changed"]);
        expect(only(far)).toMatchObject({ expected: { expires: null }, actual: { expires: isoSeconds(base.t0 + 400 * DAY) } });

        const near = await scenario(base, async (w) => {
            await w.azureKeys(vaultUrlOf(w, "kf-legacy-signer-azure-key")).updateKeyProperties("legacy-signer", { expiresOn: new Date(base.t0 + 20 * DAY) });
        });
        expect(kinds(near)).toEqual(["kf-legacy-signer-azure-key key-expiring"]);
        expect(only(near)).toMatchObject({ severity: "high", actual: { expires: isoSeconds(base.t0 + 20 * DAY) } });
    });

    test("rotation policy: period changed; rotate action removed; a rotation the stack does not declare", async () => {
        const changed = await scenario(base, async (w) => {
            await w.azureKeys(HSM).updateKeyRotationPolicy("payments-vault-data", { expiresIn: "P400D", lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P365D" }] });
        });
        expect(kinds(changed)).toEqual(["kf-payments-vault-data-azure-key rotation-period-changed"]);
        expect(only(changed)).toMatchObject({ expected: { afterCreate: "P90D", expiresIn: "P120D" }, actual: { afterCreate: "P365D", expiresIn: "P400D" } });

        const removed = await scenario(base, async (w) => {
            await w.azureKeys(HSM).updateKeyRotationPolicy("payments-vault-data", { lifetimeActions: [{ action: "Notify", timeBeforeExpiry: "P30D" }], expiresIn: "P120D" });
        });
        expect(kinds(removed)).toEqual(["kf-payments-vault-data-azure-key rotation-disabled"]);

        // The EC signing key rotates every 90 days, like every key Azure generates; an imported key declares no rotation.
        const slower = await scenario(base, async (w) => {
            await w.azureKeys(vaultUrlOf(w, "kf-payments-signing-azure-key")).updateKeyRotationPolicy("payments-signing", { expiresIn: "P400D", lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P365D" }] });
        });
        expect(kinds(slower)).toEqual(["kf-payments-signing-azure-key rotation-period-changed"]);
        const added = await scenario(base, async (w) => {
            await w.azureKeys(vaultUrlOf(w, "kf-legacy-signer-azure-key")).updateKeyRotationPolicy("legacy-signer", { expiresIn: "P400D", lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P365D" }] });
        });
        expect(kinds(added)).toEqual(["kf-legacy-signer-azure-key rotation-enabled"]);
    });

    test("a new version created out of band on a key without a rotation policy", async () => {
        const report = await scenario(base, async (w) => {
            await w.azureKeys(vaultUrlOf(w, "kf-legacy-signer-azure-key")).rotateKey("legacy-signer");
        });
        expect(kinds(report)).toEqual(["kf-legacy-signer-azure-key key-version-changed"]);
    });

    test("Managed HSM key: operations widened, tags changed", async () => {
        const report = await scenario(base, async (w) => {
            const c = w.azureKeys(HSM);
            const key = await c.getKey("payments-vault-data");
            await c.updateKeyProperties("payments-vault-data", { keyOps: ["encrypt", "decrypt"], tags: { ...key.properties.tags, extra: "1" } });
        });
        expect(kinds(report)).toEqual(["kf-payments-vault-data-azure-key key-settings-changed", "kf-payments-vault-data-azure-key tags-changed"]);
    });

    test("vault firewall opened; RBAC turned off; tags changed", async () => {
        const report = await scenario(base, async (w) => {
            const v = w.r("kf-payments-vault-westeurope");
            const sub = String(v.id).split("/")[2];
            await w.arm(sub).vaults.update("rg-keys", v.outputs.name, { properties: { networkAcls: { defaultAction: "Allow", bypass: "AzureServices" }, enableRbacAuthorization: false }, tags: { ...v.outputs.tags, team: "other" } });
        });
        expect(kinds(report)).toEqual(["kf-payments-vault-westeurope tags-changed", "kf-payments-vault-westeurope vault-network-open", "kf-payments-vault-westeurope vault-rbac-off"]);
        expect(report.findings.find((f) => f.kind === "vault-network-open")).toMatchObject({ severity: "high", expected: { defaultAction: "Deny" }, actual: { defaultAction: "Allow" } });
    });

    test("vault without purge protection (recreated out of band)", async () => {
        const report = await scenario(base, async (w) => {
            // Purge protection cannot be turned off; a vault recreated under a new name is what leaves a stack's vault without it.
            const v = w.r("kf-legacy-vault-westeurope");
            const sub = String(v.id).split("/")[2];
            await w.arm(sub).vaults.beginCreateOrUpdateAndWait("rg-keys", "acme-legacy-recreated", { location: "westeurope", properties: { ...v.inputs.properties, enablePurgeProtection: false }, tags: v.inputs.tags });
            v.id = String(v.id).replace(/vaults\/.*$/, "vaults/acme-legacy-recreated");
        });
        expect(kinds(report)).toEqual(["kf-legacy-vault-westeurope vault-purge-protection-off"]);
    });

    test("imported key disabled", async () => {
        const report = await scenario(base, async (w) => {
            await w.azureKeys(vaultUrlOf(w, "kf-legacy-signer-azure-key")).updateKeyProperties("legacy-signer", { enabled: false });
        });
        expect(kinds(report)).toEqual(["kf-legacy-signer-azure-key key-disabled"]);
    });
});

describe("time-based findings refresh never shows", () => {
    test("AWS imported material: expiring within the window, before it happens; then missing once it has", async () => {
        const validTo = Date.parse(base.seeded.byName("kf-payments-kek-aws-material").outputs.validTo);
        const w = await World.start(base);
        try {
            w.clock.set(validTo - 40 * DAY);
            const early = await w.drift();
            expect(early.findings.filter((f) => f.kind.startsWith("material-"))).toEqual([]);

            w.clock.set(validTo - 25 * DAY);
            const warned = await w.drift();
            expect(warned.findings.filter((f) => f.kind.startsWith("material-")).map((f) => `${nameOf(f.urn)} ${f.kind}`)).toEqual(["kf-payments-kek-aws-material material-expiring"]);
            expect(warned.findings.find((f) => f.kind === "material-expiring")).toMatchObject({ severity: "high", actual: { validTo: new Date(validTo).toISOString() } });
            expect((await w.drift({ expiryWarningDays: 10 })).findings.filter((f) => f.kind.startsWith("material-"))).toEqual([]);
            w.clock.set(validTo - 3 * DAY);
            expect((await w.drift()).findings.find((f) => f.kind === "material-expiring")!.severity).toBe("critical");

            w.clock.set(validTo + DAY);
            const gone = await w.drift();
            expect(gone.findings.filter((f) => f.kind.startsWith("material-")).map((f) => `${nameOf(f.urn)} ${f.kind}`)).toEqual(["kf-payments-kek-aws-material material-missing"]);
            expect(gone.findings.find((f) => f.kind === "material-missing")!.message).toContain("it expired on");
        } finally {
            await w.stop();
        }
    });

    test("rotation overdue against the declared cryptoperiod (GCP rotation pushed out; the Azure keys, which the emulator does not rotate)", async () => {
        const report = await scenario(base, async (w) => {
            const name = `${RING}/cryptoKeys/card-data`;
            await w.gcp().updateCryptoKey({ cryptoKey: { name, nextRotationTime: { seconds: Math.floor(w.clock.now() / 1000) + 5 * 365 * 86400 } }, updateMask: { paths: ["next_rotation_time"] } });
            // 95 days: AWS rotates card-data on schedule (no finding); the others are 5 days past their 90-day period.
            w.advanceDays(95);
        });
        expect(kinds(report)).toEqual(["kf-payments-card-data-gcp-key rotation-overdue", "kf-payments-signing-azure-key rotation-overdue", "kf-payments-vault-data-azure-key rotation-overdue"]);
        expect(report.findings.find((f) => f.cloud === "azure" && f.urn.endsWith("vault-data-azure-key"))!.message).toMatch(/current version dates from .*rotation was due 5 days ago \(rotate P90D after creation, versions expire after P120D\)/);
        expect(report.findings.find((f) => f.cloud === "gcp")).toMatchObject({ expected: { rotatedWithinDays: 90 }, actual: { primaryCreated: new Date(base.t0).toISOString() } });
    });

    test("without changes, 60 days later: nothing (no rotation due, nothing near expiry)", async () => {
        const report = await scenario(base, async (w) => w.advanceDays(60));
        expect(report.findings).toEqual([]);
    });
});

test("every kind reported here is in the closed list", () => {
    expect(Object.keys(FINDING_KINDS)).toEqual(expect.arrayContaining(["key-disabled", "key-pending-deletion", "rotation-disabled", "rotation-period-changed", "key-policy-changed", "alias-missing", "material-missing", "material-expiring", "version-destroyed", "primary-changed", "iam-member-added", "public-access", "labels-changed", "tags-changed", "vault-purge-protection-off", "vault-network-open", "resource-missing", "read-failed", "policy-violation"]));
});
