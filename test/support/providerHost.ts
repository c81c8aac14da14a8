/**
 * Drives a dynamic provider the way the Pulumi engine does: spawns `@pulumi/pulumi/cmd/dynamic-provider`, connects
 * over gRPC and calls Configure, Check, Diff, Create, Read, Update and Delete with the serialized provider in
 * `__provider`. Everything the host prints and every response is kept for leak scans.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const provproto = require("@pulumi/pulumi/proto/provider_pb");

const HOST = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js");

let project: string | undefined;
function userProject(): string {
    if (!project) {
        project = fs.mkdtempSync(path.join(os.tmpdir(), "kf-project-"));
        fs.mkdirSync(path.join(project, "node_modules"));
        fs.symlinkSync(path.join(__dirname, "..", ".."), path.join(project, "node_modules", "keyfabric"), "dir");
    }
    return project;
}

export interface DiffResult {
    changes: "none" | "some" | "unknown";
    replaces: string[];
    diffs: string[];
    deleteBeforeReplace: boolean;
}

export class ProviderHost {
    /** Everything the host wrote to stdout/stderr. */
    output = "";
    /** Every response and error message, as JSON, in order. */
    readonly transcript: string[] = [];
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
        readonly type: string,
    ) {}

    /**
     * Starts a host process in a user-like project directory (`node_modules/keyfabric` links to this repository, as
     * after `npm install keyfabric`), with the given variables on top of our environment.
     */
    static async start(type: string, env: Record<string, string> = {}): Promise<ProviderHost> {
        const child = spawn(process.execPath, [HOST, "127.0.0.1:1"], {
            cwd: userProject(),
            env: { ...process.env, ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        const port = await new Promise<number>((resolve, reject) => {
            const onData = (d: Buffer) => {
                out += d.toString();
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) resolve(Number(m[1]));
            };
            child.stdout!.on("data", onData);
            child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
            child.on("exit", (code) => reject(new Error(`provider host exited (${code}): ${out}`)));
        });
        const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const host = new ProviderHost(child, client, type);
        host.output = out;
        child.stdout!.on("data", (d: Buffer) => (host.output += d.toString()));
        child.stderr!.on("data", (d: Buffer) => (host.output += d.toString()));
        return host;
    }

    urn(name: string): string {
        return `urn:pulumi:test::keyfabric-test::${this.type}::${name}`;
    }

    private call<T>(method: string, req: any, map: (resp: any) => T): Promise<T> {
        return new Promise((resolve, reject) => {
            this.client[method](req, (err: grpc.ServiceError | null, resp: any) => {
                if (err) {
                    this.transcript.push(JSON.stringify({ method, error: err.details ?? err.message }));
                    reject(err);
                    return;
                }
                const mapped = map(resp);
                this.transcript.push(JSON.stringify({ method, response: mapped }));
                resolve(mapped);
            });
        });
    }

    configure(args: Record<string, unknown> = {}): Promise<void> {
        const req = new provproto.ConfigureRequest();
        req.setArgs(Struct.fromJavaScript(args as any));
        req.setAcceptsecrets(true);
        req.setAcceptresources(true);
        return this.call("configure", req, () => undefined);
    }

    check(name: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        const req = new provproto.CheckRequest();
        req.setUrn(this.urn(name));
        req.setOlds(Struct.fromJavaScript(olds as any));
        req.setNews(Struct.fromJavaScript(news as any));
        return this.call("check", req, (r) => ({
            inputs: r.getInputs()?.toJavaScript() as Record<string, any>,
            failures: r.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
        }));
    }

    diff(name: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<DiffResult> {
        const req = new provproto.DiffRequest();
        req.setId(id);
        req.setUrn(this.urn(name));
        req.setOlds(Struct.fromJavaScript(olds as any));
        req.setNews(Struct.fromJavaScript(news as any));
        return this.call("diff", req, (r) => ({
            changes: (["unknown", "none", "some"] as const)[r.getChanges()],
            replaces: r.getReplacesList(),
            diffs: r.getDiffsList(),
            deleteBeforeReplace: r.getDeletebeforereplace(),
        }));
    }

    create(name: string, props: Record<string, unknown>, preview = false) {
        const req = new provproto.CreateRequest();
        req.setUrn(this.urn(name));
        req.setProperties(Struct.fromJavaScript(props as any));
        req.setPreview(preview);
        return this.call("create", req, (r) => ({ id: r.getId() as string, properties: r.getProperties()?.toJavaScript() as Record<string, any> }));
    }

    read(name: string, id: string, props: Record<string, unknown>, inputs?: Record<string, unknown>) {
        const req = new provproto.ReadRequest();
        req.setId(id);
        req.setUrn(this.urn(name));
        req.setProperties(Struct.fromJavaScript(props as any));
        if (inputs) req.setInputs(Struct.fromJavaScript(inputs as any));
        return this.call("read", req, (r) => ({
            id: r.getId() as string,
            properties: r.getProperties()?.toJavaScript() as Record<string, any> | undefined,
            inputs: r.getInputs()?.toJavaScript() as Record<string, any> | undefined,
        }));
    }

    update(name: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>, preview = false) {
        const req = new provproto.UpdateRequest();
        req.setId(id);
        req.setUrn(this.urn(name));
        req.setOlds(Struct.fromJavaScript(olds as any));
        req.setNews(Struct.fromJavaScript(news as any));
        req.setPreview(preview);
        return this.call("update", req, (r) => ({ properties: r.getProperties()?.toJavaScript() as Record<string, any> }));
    }

    delete(name: string, id: string, props: Record<string, unknown>): Promise<void> {
        const req = new provproto.DeleteRequest();
        req.setId(id);
        req.setUrn(this.urn(name));
        req.setProperties(Struct.fromJavaScript(props as any));
        return this.call("delete", req, () => undefined);
    }

    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null) {
            const exited = new Promise((r) => this.child.once("exit", r));
            this.child.kill("SIGTERM");
            await exited;
        }
    }
}

/** The material in every encoding a leak could take. */
export function leakForms(material: Buffer): string[] {
    return [material.toString("hex"), material.toString("hex").toUpperCase(), material.toString("base64"), material.toString("base64url")];
}

/** Which of `haystacks` contain any form of `material` (empty when none does). */
export function findLeaks(material: Buffer, haystacks: Record<string, string>): string[] {
    const forms = leakForms(material);
    return Object.entries(haystacks)
        .filter(([, text]) => forms.some((f) => text.includes(f)))
        .map(([where]) => where);
}
