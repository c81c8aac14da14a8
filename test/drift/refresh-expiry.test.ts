/**
 * Honest refresh for material expiry: AWS imported material whose ValidTo passes on the emulator clock reads back
 * (through the dynamic-provider host, as `pulumi refresh` does) as PendingImport with no material, so `pulumi up`
 * re-imports it. Drift detection reports the same key as `material-expiring` before the date (changes.test.ts).
 * Needs lib/ (npm test builds it).
 */
process.env.METADATA_SERVER_DETECTION = "none";

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { AwsImportedKeyMaterial } from "../../sdk/byok/aws";
import { createAwsKmsClient } from "../../sdk/clients";
import { EmulatorSet, startEmulators } from "../../sdk/emulators";
import { runUnderMocks } from "../../sdk/preview/harness";
import { findLeaks, ProviderHost } from "../support/providerHost";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const sdk = require("@aws-sdk/client-kms") as typeof import("@aws-sdk/client-kms");
const DAY = 86_400_000;
const clock = { shift: 0, now: () => Date.now() + clock.shift };
let emu: EmulatorSet;
let host: ProviderHost | undefined;

beforeAll(async () => {
    if (!fs.existsSync(path.join(__dirname, "..", "..", "lib", "byok", "aws.js"))) throw new Error("lib/ is missing: npm run build");
    emu = await startEmulators({ clock });
});
afterAll(async () => {
    await host?.stop();
    await emu.stop();
});

test("ValidTo passes: read shows PendingImport and no fingerprint; diff asks for an update", async () => {
    const region = "eu-west-1";
    const kms = createAwsKmsClient(region, { env: emu.env() });
    const arn = (await kms.send(new sdk.CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT" }))).KeyMetadata!.Arn!;
    const material = crypto.randomBytes(32);
    const validTo = new Date(Date.now() + 10 * DAY).toISOString();
    const run = await runUnderMocks(() => new AwsImportedKeyMaterial("kek", { keyId: arn, region, algorithm: "AES_256", material: { env: "KF_REFRESH_AES" }, validTo }));
    const news = Object.fromEntries(Object.entries(run.resources[0].inputs).filter(([, v]) => v !== undefined));
    host = await ProviderHost.start("pulumi-nodejs:dynamic/keyfabric:AwsImportedKeyMaterial", { ...emu.env(), KF_REFRESH_AES: material.toString("base64") });
    await host.configure();
    const checked = await host.check("kek", {}, news);
    const created = await host.create("kek", checked.inputs);
    expect(created.properties).toMatchObject({ keyState: "Enabled", expirationModel: "KEY_MATERIAL_EXPIRES", validTo });

    const before = await host.read("kek", arn, created.properties);
    expect(before.properties).toMatchObject({ keyState: "Enabled", validTo });
    expect(await host.diff("kek", arn, before.properties!, checked.inputs)).toMatchObject({ changes: "none" });

    clock.shift = 11 * DAY; // the material's ValidTo passes
    const after = await host.read("kek", arn, created.properties);
    expect(after.properties).toMatchObject({ keyState: "PendingImport", fingerprint: "none" });
    expect(after.inputs).toMatchObject({ fingerprint: "none" });
    expect(await host.diff("kek", arn, after.properties!, checked.inputs)).toMatchObject({ changes: "some", replaces: [] });
    expect((await kms.send(new sdk.DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.KeyState).toBe("PendingImport");
    expect(findLeaks(material, { transcript: host.transcript.join("\n"), hostOutput: host.output })).toEqual([]);
    kms.destroy();
});
