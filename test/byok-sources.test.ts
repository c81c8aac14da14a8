/**
 * Material sources that cannot hurt the host: what a `{file}` refuses before reading (FIFOs, directories, devices,
 * links, oversize files), the warning for files others can read, a `{command}`'s process group killed on timeout
 * (grandchildren included), its bounded output and minimal environment, the buffers zeroed on every path, and the
 * descriptor's problems named by sub-field.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { z } from "zod";
import { awsImportedKeyMaterial } from "../sdk/byok/aws";
import {
    childProcessEnv,
    MATERIAL_FORMATS,
    MaterialSource,
    materialSourceSchema,
    MAX_MATERIAL_BYTES,
    resolveMaterial,
    runMaterialCommand,
} from "../sdk/byok/sources";
import { formatIssue } from "../sdk/schema/errors";
import { zodIssues } from "../sdk/schema/validate";
import { findLeaks } from "./support/providerHost";

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "kf-sources-")));
const f = (name: string) => path.join(dir, name);
const AES = { type: "aes", bytes: 32 } as const;
const aes = crypto.randomBytes(32);
const write = (name: string, data: string | Buffer, mode = 0o600) => {
    fs.writeFileSync(f(name), data, { mode });
    fs.chmodSync(f(name), mode);
    return f(name);
};
const message = (fn: () => unknown): string => {
    try {
        fn();
    } catch (e) {
        return (e as Error).message;
    }
    throw new Error("expected an error");
};
const timed = <T>(fn: () => T): [T, number] => {
    const t0 = Date.now();
    const r = fn();
    return [r, Date.now() - t0];
};
const alive = (pid: number) => {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    // A zombie (killed, not yet reaped by its new parent) is dead for our purpose.
    const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, "utf8") : "";
    return !/^\d+ \(.*\) Z /.test(stat);
};

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("{file}: only a regular file, bounded, without following a link", () => {
    test.each([
        ["a FIFO without a writer (would block forever)", () => (spawnSync("mkfifo", [f("fifo")]), f("fifo")), "is a named pipe (FIFO), not a regular file; for a program's output use a command source"],
        ["a directory", () => (fs.mkdirSync(f("adir"), { recursive: true }), f("adir")), "is a directory, not a regular file"],
        ["/dev/zero (endless)", () => "/dev/zero", "is a character device, not a regular file"],
        ["/dev/null", () => "/dev/null", "is a character device, not a regular file"],
        ["one byte over the bound", () => write("big.bin", Buffer.alloc(MAX_MATERIAL_BYTES + 1, 0x41)), `is ${MAX_MATERIAL_BYTES + 1} bytes; key material is at most ${MAX_MATERIAL_BYTES} bytes`],
        ["a symbolic link", () => (fs.symlinkSync(write("target.bin", aes), f("link.bin")), f("link.bin")), `is a symbolic link (to ${f("target.bin")}); keyfabric does not follow a link to key material, so that the file read is the one named (allowed: the path of the file itself)`],
        ["a missing file", () => f("missing.bin"), "no such file"],
        ["a path through a file", () => `${write("plain.bin", aes)}/x`, "no such file (a part of the path is not a directory)"],
    ])("%s is refused at once", (_n, make, problem) => {
        const file = make();
        const [msg, ms] = timed(() => message(() => resolveMaterial({ file }, AES)));
        expect(msg).toBe(`key material from file ${file}: ${problem}`);
        expect(ms).toBeLessThan(2000);
    }, 5000);

    test("the bound is inclusive: 8192 bytes are read (and then judged as material)", () => {
        const file = write("max.bin", Buffer.alloc(MAX_MATERIAL_BYTES, 0x41));
        expect(message(() => resolveMaterial({ file, format: "raw" }, AES))).toBe(`key material from file ${file}: expected 32 raw bytes (AES-256), got ${MAX_MATERIAL_BYTES} bytes`);
    });

    test.each([
        [0o600, undefined],
        [0o400, undefined],
        [0o640, "its group can read it (mode 0640)"],
        [0o604, "others can read it (mode 0604)"],
        [0o644, "its group and others can read it (mode 0644)"],
        [0o620, "its group can write it (mode 0620)"],
        [0o666, "its group and others can read and write it (mode 0666)"],
    ])("mode %o: warning through the caller's channel: %s", (mode, exposure) => {
        const file = write(`mode-${mode.toString(8)}.bin`, aes, mode);
        const warnings: string[] = [];
        const m = resolveMaterial({ file }, AES, { warn: (w) => warnings.push(w) });
        expect(m.material.equals(aes)).toBe(true);
        expect(warnings).toEqual(exposure ? [`key material from file ${file}: ${exposure}; keep key material private to its owner (chmod 600 ${file})`] : []);
        // Without a channel nothing is printed (library code never writes to the console).
        const log = jest.spyOn(console, "warn").mockImplementation(() => undefined);
        const err = jest.spyOn(process.stderr, "write");
        resolveMaterial({ file }, AES);
        expect(log).not.toHaveBeenCalled();
        expect(err).not.toHaveBeenCalled();
        log.mockRestore();
        err.mockRestore();
    });
});

describe("{command}: its own process group, bounded in time and output, minimal environment", () => {
    test("a timeout kills the whole process group, grandchildren included", () => {
        const pids = f("pids");
        const source: MaterialSource = { command: ["sh", "-c", `sleep 32 & echo $! > ${pids}; sleep 32`], timeoutMs: 300 };
        const [msg, ms] = timed(() => message(() => resolveMaterial(source, AES)));
        expect(msg).toBe("key material from command sh (2 arguments): timed out after 300 ms and its process group was killed (allowed: a timeout up to 300000 ms)");
        expect(ms).toBeLessThan(3000);
        const grandchild = Number(fs.readFileSync(pids, "utf8"));
        expect(grandchild).toBeGreaterThan(1);
        const deadline = Date.now() + 2000;
        while (alive(grandchild) && Date.now() < deadline) spawnSync("sleep", ["0.05"]);
        expect(alive(grandchild)).toBe(false);
    }, 10_000);

    test("a program ignoring SIGTERM is still stopped (SIGKILL to the group)", () => {
        const [msg, ms] = timed(() => message(() => resolveMaterial({ command: ["sh", "-c", "trap '' TERM; sleep 33"], timeoutMs: 300 }, AES)));
        expect(msg).toMatch(/: timed out after 300 ms and its process group was killed/);
        expect(ms).toBeLessThan(3000);
    }, 10_000);

    test("output past the bound stops the program; the bound itself is allowed", () => {
        const [msg, ms] = timed(() => message(() => resolveMaterial({ command: ["head", "-c", "100000000", "/dev/zero"] }, AES)));
        expect(msg).toBe(`key material from command head (3 arguments): printed more than ${MAX_MATERIAL_BYTES} bytes and was stopped (key material is at most ${MAX_MATERIAL_BYTES} bytes)`);
        expect(ms).toBeLessThan(3000);
        expect(message(() => resolveMaterial({ command: ["head", "-c", String(MAX_MATERIAL_BYTES), "/dev/zero"], format: "raw" }, AES))).toBe(
            `key material from command head (3 arguments): expected 32 raw bytes (AES-256), got ${MAX_MATERIAL_BYTES} bytes`,
        );
    });

    test("exit status, signal, missing program, background process left holding the output", () => {
        expect(message(() => resolveMaterial({ command: ["sh", "-c", "exit 7"] }, AES))).toBe("key material from command sh (2 arguments): exited with status 7");
        expect(message(() => resolveMaterial({ command: ["sh", "-c", "kill -9 $$"] }, AES))).toBe("key material from command sh (2 arguments): was killed by SIGKILL");
        expect(message(() => resolveMaterial({ command: ["/nonexistent/prog"] }, AES))).toBe("key material from command /nonexistent/prog (0 arguments): program not found");
        expect(message(() => resolveMaterial({ command: [write("not-executable.sh", "#!/bin/sh\n")] }, AES))).toMatch(/: cannot be run \(permission denied\)$/);
        expect(message(() => resolveMaterial({ command: ["sh", "-c", `printf %s ${aes.toString("hex")}; sleep 34 &`] }, AES))).toBe(
            "key material from command sh (2 arguments): exited but left a background process holding its standard output; its process group was killed and the output discarded (a material command must not leave processes behind)",
        );
    });

    test("the output is the material", () => {
        const m = resolveMaterial({ command: ["printf", "%s", aes.toString("base64")] }, AES);
        expect(m.material.equals(aes)).toBe(true);
    });

    test("the child sees PATH and the variables its env names, nothing else", () => {
        process.env.KF_TEST_PASSED = "passed-value";
        process.env.KF_TEST_NOT_NAMED = "never-passed";
        delete process.env.KF_TEST_UNSET;
        try {
            expect(runMaterialCommand({ command: ["env"] }).toString()).toBe(`PATH=${process.env.PATH}\n`);
            expect(runMaterialCommand({ command: ["env"], env: ["KF_TEST_PASSED", "KF_TEST_UNSET"] }).toString()).toBe(`PATH=${process.env.PATH}\nKF_TEST_PASSED=passed-value\n`);
        } finally {
            delete process.env.KF_TEST_PASSED;
            delete process.env.KF_TEST_NOT_NAMED;
        }
    });

    test("{env} material is never passed to a child, even when a command's env names it", () => {
        process.env.KF_TEST_MATERIAL = aes.toString("hex");
        try {
            expect(resolveMaterial({ env: "KF_TEST_MATERIAL" }, AES).material.equals(aes)).toBe(true);
            const seen = runMaterialCommand({ command: ["env"], env: ["KF_TEST_MATERIAL"] }).toString();
            expect(seen).toBe(`PATH=${process.env.PATH}\n`);
            expect(childProcessEnv()).not.toHaveProperty("KF_TEST_MATERIAL");
            expect(childProcessEnv({ KF_TEST_MATERIAL: "x", OTHER: "y" })).toEqual({ OTHER: "y" });
        } finally {
            delete process.env.KF_TEST_MATERIAL;
        }
    });
});

describe("every buffer that held material is zeroed, on every path", () => {
    let shared: SharedArrayBuffer[] = [];
    const Real = SharedArrayBuffer;
    beforeEach(() => {
        shared = [];
        (globalThis as any).SharedArrayBuffer = class extends Real {
            constructor(n: number) {
                super(n);
                shared.push(this);
            }
        };
    });
    afterEach(() => ((globalThis as any).SharedArrayBuffer = Real));

    const dataBuffer = () => shared.find((b) => b.byteLength === MAX_MATERIAL_BYTES)!;
    test.each([
        ["success", { command: ["printf", "%s", aes.toString("hex")] }, undefined],
        ["error status after output", { command: ["sh", "-c", `printf %s ${aes.toString("hex")}; exit 3`] }, /exited with status 3/],
        ["timeout after output", { command: ["sh", "-c", `printf %s ${aes.toString("hex")}; sleep 35`], timeoutMs: 300 }, /timed out/],
        ["overflow", { command: ["sh", "-c", `printf %s ${aes.toString("hex").repeat(200)}`] }, /printed more than/],
    ] as [string, MaterialSource, RegExp | undefined][])("command, %s", (_n, source, error) => {
        if (error) expect(message(() => runMaterialCommand(source as any))).toMatch(error);
        else expect(runMaterialCommand(source as any).toString()).toBe(aes.toString("hex"));
        expect(dataBuffer()).toBeDefined();
        expect(new Uint8Array(dataBuffer()).every((b) => b === 0)).toBe(true);
    }, 10_000);

    test.each([
        ["success", "ok.hex", aes.toString("hex"), undefined],
        ["bad material", "bad.hex", `${aes.toString("hex")}00`, "expected 32 raw bytes (AES-256), got 33 bytes"],
        ["bad encoding", "bad2.hex", `${aes.toString("hex")}zz`, "is not valid hex"],
    ])("file, %s: the read buffer and the decoded material are zeroed", (_n, name, content, error) => {
        const file = write(name, content);
        const allocs: Buffer[] = [];
        const real = Buffer.alloc;
        const spy = jest.spyOn(Buffer, "alloc").mockImplementation(((n: number, ...rest: any[]) => {
            const b = (real as any).call(Buffer, n, ...rest);
            allocs.push(b);
            return b;
        }) as any);
        try {
            if (error) expect(message(() => resolveMaterial({ file, format: "hex" }, AES))).toBe(`key material from file ${file}: ${error}`);
            else expect(resolveMaterial({ file, format: "hex" }, AES).material.equals(aes)).toBe(true);
        } finally {
            spy.mockRestore();
        }
        const read = allocs.find((b) => b.length === MAX_MATERIAL_BYTES + 1)!;
        expect(read).toBeDefined();
        expect(read.every((b) => b === 0)).toBe(true);
        // The hex decoder's output is the material: zeroed unless returned.
        const decoded = allocs.filter((b) => b.length === content.length >> 1);
        if (error) expect(decoded.every((b) => b.every((x) => x === 0))).toBe(true);
    });
});

describe("the descriptor's problems name the sub-field, the allowed values and what was received", () => {
    const schema = z.strictObject({ material: materialSourceSchema });
    const problems = (material: unknown) => {
        const r = schema.safeParse({ material }, { reportInput: true });
        return r.success ? [] : zodIssues(r.error).map(formatIssue);
    };
    const SHAPES = "{file: path, format?}, {env: NAME, format?}, {command: [program, args...], env?: [NAME...], timeoutMs?, format?}, {pkcs11: URI, generate?}";
    test.each([
        [{ url: "https://example.com/key" }, [`material: names no source: one of file, env, command or pkcs11 is needed (allowed: ${SHAPES}, got: an object)`]],
        [{ file: "/k", env: "K" }, [`material: names two sources (file and env): give one (allowed: ${SHAPES})`]],
        ["/secure/k.bin", [`material: is not a material source (allowed: ${SHAPES}, got: "/secure/k.bin")`]],
        [{ file: "" }, ["material.file: is empty (allowed: a file path)"]],
        [{ file: 42 }, ["material.file: must be a file path (got: 42)"]],
        [{ file: "/k", mode: "0600" }, ["material: has unknown field mode (allowed: file, format)"]],
        [{ env: "1BAD;id" }, ['material.env: is not an environment variable name (allowed: letters, digits and _, not starting with a digit, got: "1BAD;id")']],
        [{ env: "K", timeoutMs: 5 }, ["material: has unknown field timeoutMs (allowed: env, format)"]],
        [{ command: "vault read -field=key secret/kek" }, ["material.command: must be a list: the program, then its arguments (got: a string) (allowed: [program, args...])"]],
        [{ command: [] }, ["material.command: is empty (allowed: [program, args...])"]],
        [{ command: ["", "x"] }, ["material.command[0]: is empty (allowed: a program name or path)"]],
        [{ command: ["vault", 7] }, ["material.command[1]: must be a string (got: a number)"]],
        [{ command: ["vault", "tok\0en"] }, ["material.command[1]: contains a NUL character"]],
        [{ command: ["vault"], timeoutMs: 1e9 }, ["material.timeoutMs: must be a whole number of milliseconds (allowed: 1-300000, got: 1000000000)"]],
        [{ command: ["vault"], timeoutMs: 1.5 }, ["material.timeoutMs: must be a whole number of milliseconds (allowed: 1-300000, got: 1.5)"]],
        [{ command: ["vault"], env: "VAULT_ADDR" }, ['material.env: must be a list of environment variable names passed to the command (allowed: e.g. [HOME, VAULT_ADDR], got: "VAULT_ADDR")']],
        [{ command: ["vault"], env: ["VAULT_ADDR", "bad name"] }, ['material.env[1]: is not an environment variable name (allowed: letters, digits and _, not starting with a digit, got: "bad name")']],
        [{ file: "/k", format: "bin" }, [`material.format: is not one of the allowed values (allowed: ${MATERIAL_FORMATS.join(", ")}, got: "bin")`]],
        [{ command: ["vault", "read"], env: ["VAULT_ADDR", "HOME"], timeoutMs: 5000, format: "base64" }, []],
    ])("%j", (material, expected) => {
        expect(problems(material)).toEqual(expected);
    });

    test("a provider's Check reports them on material, before reading anything", async () => {
        const r = await awsImportedKeyMaterial.check({}, { providerVersion: "1", keyId: "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555", region: "eu-west-1", algorithm: "AES_256", material: { command: ["vault"], timeoutMs: 0 } });
        expect(r.failures).toEqual([{ property: "material", reason: "material.timeoutMs: must be a whole number of milliseconds (allowed: 1-300000, got: 0)" }]);
    });

    test("resolveMaterial checks an unvalidated descriptor itself", () => {
        expect(message(() => resolveMaterial({ command: ["x"], timeoutMs: -1 } as MaterialSource, AES))).toBe("material.timeoutMs: must be a whole number of milliseconds (allowed: 1-300000, got: -1)");
    });
});

describe("decoding", () => {
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const ecDer = ec.export({ type: "pkcs8", format: "der" });
    const EC = { type: "ec", curve: "P-256" } as const;
    test.each([
        ["hex wrapped as xxd -p does", aes.toString("hex").replace(/(.{60})/g, "$1\n"), AES, aes],
        ["base64 wrapped as base64 does", ecDer.toString("base64").replace(/(.{76})/g, "$1\n"), EC, ecDer],
        ["base64url without padding", aes.toString("base64url"), AES, aes],
        ["an EC PARAMETERS block before the key (openssl ecparam -genkey)", `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${ec.export({ type: "sec1", format: "pem" })}`, EC, ecDer],
    ])("accepted: %s", (_n, text, kind, expected) => {
        process.env.KF_TEST_DECODE = text;
        try {
            expect(resolveMaterial({ env: "KF_TEST_DECODE" }, kind).material.equals(expected)).toBe(true);
        } finally {
            delete process.env.KF_TEST_DECODE;
        }
    });

    test.each([
        ["base64 with a misplaced =", `${aes.toString("base64").slice(0, 20)}=${aes.toString("base64").slice(20)}`, "base64", AES, "is not valid base64"],
        ["hex with an odd digit count", `${aes.toString("hex")}0`, "hex", AES, "is not valid hex"],
        ["a PEM public key", crypto.createPublicKey(ec).export({ type: "spki", format: "pem" }) as string, undefined, EC, "is a PEM public key: the private key is needed (allowed: PEM PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY)"],
        ["a key and a certificate bundled", `${ec.export({ type: "pkcs8", format: "pem" })}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`, undefined, EC, "holds 2 PEM blocks (PRIVATE KEY, CERTIFICATE); give the private key alone"],
        ["two private keys", `${ec.export({ type: "pkcs8", format: "pem" })}${ec.export({ type: "pkcs8", format: "pem" })}`, undefined, EC, "holds 2 PEM blocks (PRIVATE KEY, PRIVATE KEY); give the private key alone"],
        ["a public JWK", JSON.stringify(crypto.createPublicKey(ec).export({ format: "jwk" })), undefined, EC, "is a public JWK (it has no d): the private key is needed"],
        ["a JWK of the wrong kty", JSON.stringify(ec.export({ format: "jwk" })), undefined, AES, "is an EC JWK, and AES material is needed"],
        ["a JWK that is an array", "[1,2]", "jwk", AES, "is JSON but not a JWK (allowed: a JSON object with kty, got: an array)"],
    ])("refused: %s", (_n, text, format, kind, problem) => {
        process.env.KF_TEST_DECODE = text;
        try {
            const source = { env: "KF_TEST_DECODE", ...(format ? { format } : {}) } as MaterialSource;
            const msg = message(() => resolveMaterial(source, kind));
            expect(msg).toBe(`key material from environment variable KF_TEST_DECODE: ${problem}`);
            expect(findLeaks(aes, { msg })).toEqual([]);
            expect(findLeaks(ecDer, { msg })).toEqual([]);
        } finally {
            delete process.env.KF_TEST_DECODE;
        }
    });
});
