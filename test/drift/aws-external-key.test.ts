/**
 * A BYOK AWS key as a deployment records it: the provider creates the ExternalKey without material and reads it back
 * as AWS describes a key pending import (KeyState PendingImport, Enabled false: the real DescribeKey in
 * test_kms.snapshot.json's test_import_key_symmetric, "describe-key-before-import"), although keyfabric declares
 * `enabled: true`; keyfabric's AwsImportedKeyMaterial then imports the material, which enables the key. Drift compares
 * with the declaration, not with that first read: the enabled key is not drift, a key disabled out of band is.
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as fs from "fs";
import { shared } from "../support/shared";
import { Baseline, deployBaseline, kinds, scenario } from "./world";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const kms = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");

const KEK = "kf-payments-kek-aws-key";

let base: Baseline;
beforeAll(async () => {
    base = await deployBaseline();
});

test("the export records the ExternalKey as the provider read it after creating it: PendingImport, not enabled; the declared input stays enabled", () => {
    const recorded = base.seeded.byName(KEK);
    expect(recorded.type).toBe("aws:kms/externalKey:ExternalKey");
    expect(recorded.inputs.enabled).toBe(true);
    expect(recorded.outputs).toMatchObject({ keyState: "PendingImport", enabled: false, expirationModel: "" });
    // What real AWS answers for a key pending import (LocalStack's recording of it).
    const snapshot = JSON.parse(fs.readFileSync(shared("recordings", "localstack-kms", "test_kms.snapshot.json"), "utf8"));
    const real = snapshot["tests/aws/services/kms/test_kms.py::TestKMS::test_import_key_symmetric"]["recorded-content"]["describe-key-before-import"].KeyMetadata;
    expect({ KeyState: real.KeyState, Enabled: real.Enabled, Origin: real.Origin }).toEqual({ KeyState: "PendingImport", Enabled: false, Origin: "EXTERNAL" });
});

test("material imported after creation (the key is Enabled now): no finding on the key", async () => {
    let live: string | undefined;
    const report = await scenario(base, async (w) => {
        live = (await w.aws().send(new kms.DescribeKeyCommand({ KeyId: w.r(KEK).outputs.arn }))).KeyMetadata!.KeyState;
    });
    expect(live).toBe("Enabled");
    expect(report.findings.filter((f) => f.urn.endsWith(`::${KEK}`))).toEqual([]);
});

test("the key disabled out of band: key-disabled, against the declared enabled", async () => {
    const report = await scenario(base, async (w) => {
        await w.aws().send(new kms.DisableKeyCommand({ KeyId: w.r(KEK).outputs.arn }));
    });
    expect(kinds(report)).toEqual([`${KEK} key-disabled`]);
    expect(report.findings[0]).toMatchObject({ type: "aws:kms/externalKey:ExternalKey", expected: { keyState: "Enabled" }, actual: { keyState: "Disabled" } });
});

test("an ExternalKey declared disabled (the input) and found enabled: key-enabled", async () => {
    const report = await scenario(base, async (w) => {
        w.r(KEK).inputs.enabled = false;
    });
    expect(kinds(report)).toEqual([`${KEK} key-enabled`]);
    expect(report.findings[0]).toMatchObject({ expected: { keyState: "Disabled" }, actual: { keyState: "Enabled" } });
});
