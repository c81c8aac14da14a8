/**
 * The README's "unmodified Azure client" test, run as a user pastes it: between the markers below is the README's
 * code block, byte for byte, except the import path of keyfabric's emulators (`keyfabric/emulators` there). The last
 * test checks that the README holds exactly this.
 */
import { readmeHoldsBlock, readmeSnippet } from "../support/readme-snippet";

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
    const asUserWritesIt = readmeSnippet(__filename);
    expect(asUserWritesIt).toContain('from "keyfabric/emulators"');
    expect(readmeHoldsBlock(asUserWritesIt)).toBe(true);
});
