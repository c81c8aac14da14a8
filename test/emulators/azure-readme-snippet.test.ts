/**
 * The README's "unmodified Azure client" test, run as a user pastes it: between the markers below is the README's
 * code block, byte for byte, except the import path of keyfabric's emulators (`keyfabric/emulators` there). The last
 * test checks that the README holds exactly this.
 */
import * as fs from "fs";
import * as path from "path";

// README-SNIPPET-START
import { createHash } from "crypto";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { startAzureKeyVaultEmulator } from "../../sdk/emulators";

test("signs with a Key Vault key through an unmodified KeyClient", async () => {
    const emulator = await startAzureKeyVaultEmulator({ vaults: ["my-vault"], asyncStates: "instant" });
    const credential = { getToken: async () => ({ token: "test", expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const options = { allowInsecureConnection: true, disableChallengeResourceVerification: true };
    const keys = new KeyClient(emulator.vaultUrls["my-vault"], credential, options);
    const key = await keys.createRsaKey("signer", { keySize: 2048 });
    const signer = new CryptographyClient(key, credential, options); // key.id is http://127.0.0.1:<port>/keys/signer/<version>
    const digest = createHash("sha256").update("hello").digest();
    const { result } = await signer.sign("RS256", digest);
    expect((await signer.verify("RS256", digest, result)).result).toBe(true);
    await emulator.stop();
});
// README-SNIPPET-END

test("the README holds this snippet exactly (with keyfabric/emulators as the import)", () => {
    const own = fs.readFileSync(__filename, "utf8");
    const snippet = own.slice(own.indexOf("// README-SNIPPET-START\n") + "// README-SNIPPET-START\n".length, own.indexOf("// README-SNIPPET-END"));
    const asUserWritesIt = snippet.replace('from "../../sdk/emulators"', 'from "keyfabric/emulators"');
    const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
    expect(asUserWritesIt).toContain('from "keyfabric/emulators"');
    expect(readme.includes("```ts\n" + asUserWritesIt + "```\n")).toBe(true);
});
