/**
 * The per-attempt timeout of the AWS client keyfabric builds is enforced: a service that accepts the connection and
 * never answers fails the call with a TimeoutError once `attemptTimeoutMs` has passed (with @smithy/node-http-handler
 * 4.x, requestTimeout alone only logs a warning and the call waits for ever).
 */
import * as net from "net";
import { ListKeysCommand } from "@aws-sdk/client-kms";
import { createAwsKmsClient } from "../sdk/clients";

let server: net.Server;
let url: string;
const sockets: net.Socket[] = [];

beforeAll(async () => {
    server = net.createServer((s) => {
        sockets.push(s);
        s.on("data", () => undefined); // read the request, never answer
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => server.close(r));
});

test("a KMS call without an answer fails after attemptTimeoutMs, as a TimeoutError", async () => {
    const client = createAwsKmsClient("eu-west-1", { env: { KEYFABRIC_EMULATORS: JSON.stringify({ aws: url }) }, maxAttempts: 1, attemptTimeoutMs: 300 });
    const t0 = Date.now();
    try {
        const error = await client.send(new ListKeysCommand({})).then(
            () => undefined,
            (e: Error & { code?: string }) => e,
        );
        expect(error).toMatchObject({ name: "TimeoutError", code: "ETIMEDOUT", message: "@smithy/node-http-handler - [ERROR] a request has exceeded the configured 300 ms requestTimeout." });
        expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
        expect(Date.now() - t0).toBeLessThan(3_000);
    } finally {
        client.destroy();
    }
}, 10_000);
