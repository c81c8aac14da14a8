/**
 * What every cloud check works with: the package's client factories (one client per region, vault and subscription,
 * reused), the state index for cross-resource lookups, the evaluation time, and helpers that turn cloud errors into
 * findings. Clients come only from `sdk/clients`: whether they talk to a cloud or to emulators is decided there.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import type { KeyManagementServiceClient } from "@google-cloud/kms";
import type { KeyClient } from "@azure/keyvault-keys";
import type { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { createAwsKmsClient, createAzureArmClient, createAzureKeyClient, createGcpKmsClient } from "../clients";
import type { StateIndex } from "./plan";
import type { StateResource } from "./state";
import { Cloud, Finding, FINDING_KINDS, FindingKind, Severity } from "./types";

/** A finding before de-duplication: `subject` names the cloud object, `specificity` ranks resources reporting it. */
export interface RawFinding extends Finding {
    /** The cloud object the finding is about (key ARN, version name, vault id...); defaults to the resource's urn. */
    readonly subject?: string;
    /** 2: the resource checked its own object; 1: derived from another resource's check (e.g. a key's primary version). */
    readonly specificity?: number;
}

export interface CheckResult {
    readonly findings: RawFinding[];
    /**
     * Live values to overlay on the resource's state properties for the policy re-run; null when the resource is
     * gone; undefined when nothing was read.
     */
    readonly live?: Record<string, unknown> | null;
}

/** An error that stops the whole run (a client cannot even be built): exit 1, never a per-resource finding. */
export class DriftSetupError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DriftSetupError";
    }
}

export interface ClientSettings {
    /** Passed to the client factories (where `KEYFABRIC_EMULATORS` is read). @default process.env */
    readonly env?: NodeJS.ProcessEnv;
    /** Attempts per call, retries on throttling and 5xx included. @default 10 */
    readonly maxAttempts?: number;
}

export class Clients {
    private readonly aws_ = new Map<string, KMSClient>();
    private gcp_?: KeyManagementServiceClient;
    private readonly azureKeys_ = new Map<string, KeyClient>();
    private readonly azureArm_ = new Map<string, KeyVaultManagementClient>();
    /** Calls made through `call()`, for the summary. */
    calls = 0;

    constructor(private readonly settings: ClientSettings = {}) {}

    private opts() {
        return { env: this.settings.env, maxAttempts: this.settings.maxAttempts ?? 10 };
    }

    private build<T>(what: string, f: () => T): T {
        try {
            return f();
        } catch (e) {
            throw new DriftSetupError(`cannot create the ${what} client: ${(e as Error).message}`);
        }
    }

    aws(region: string): KMSClient {
        let c = this.aws_.get(region);
        if (!c) {
            c = this.build(`AWS KMS (${region})`, () => createAwsKmsClient(region, this.opts()));
            this.aws_.set(region, c);
        }
        return c;
    }

    gcp(): KeyManagementServiceClient {
        this.gcp_ ??= this.build("Cloud KMS", () => createGcpKmsClient(this.opts()));
        return this.gcp_;
    }

    azureKeys(vaultUrl: string): KeyClient {
        let c = this.azureKeys_.get(vaultUrl);
        if (!c) {
            c = this.build(`Azure Key Vault (${vaultUrl})`, () => createAzureKeyClient(vaultUrl, this.opts()));
            this.azureKeys_.set(vaultUrl, c);
        }
        return c;
    }

    azureArm(subscriptionId: string): KeyVaultManagementClient {
        let c = this.azureArm_.get(subscriptionId);
        if (!c) {
            c = this.build(`Azure Resource Manager (subscription ${subscriptionId})`, () => createAzureArmClient(subscriptionId, this.opts()));
            this.azureArm_.set(subscriptionId, c);
        }
        return c;
    }

    async close(): Promise<void> {
        for (const c of this.aws_.values()) c.destroy();
        this.aws_.clear();
        if (this.gcp_) await this.gcp_.close().catch(() => undefined);
        this.gcp_ = undefined;
    }
}

export interface CheckContext {
    /** Evaluation time for time-based findings (epoch ms). */
    readonly now: number;
    readonly expiryWarningDays: number;
    readonly clients: Clients;
    readonly index: StateIndex;
}

/** Days of tolerance before a rotation counts as overdue (clouds rotate within hours of the due time). */
export const ROTATION_GRACE_DAYS = 2;

export type ErrorClass = "not-found" | "denied" | "other";

/** Sorts a cloud SDK error: AWS exception names, gRPC status codes, Azure HTTP status codes. */
export function classifyError(e: unknown): ErrorClass {
    const err = e as { name?: string; code?: unknown; statusCode?: number; $metadata?: { httpStatusCode?: number } };
    const name = err?.name ?? "";
    if (name === "NotFoundException" || name === "ResourceNotFoundException") return "not-found";
    if (name === "AccessDeniedException" || name === "UnrecognizedClientException" || name === "InvalidSignatureException") return "denied";
    if (err?.code === 5) return "not-found";
    if (err?.code === 7 || err?.code === 16) return "denied";
    const status = err?.statusCode ?? err?.$metadata?.httpStatusCode;
    if (status === 404) return "not-found";
    if (status === 401 || status === 403) return "denied";
    return "other";
}

/** A one-line description of a cloud error that never includes request data. */
export function describeError(e: unknown): string {
    const err = e as { name?: string; code?: unknown; details?: string; message?: string; statusCode?: number };
    const kind = err?.name && err.name !== "Error" ? err.name : err?.code !== undefined ? `code ${String(err.code)}` : err?.statusCode ? `HTTP ${err.statusCode}` : "error";
    const detail = (err?.details || err?.message || String(e)).split("\n")[0].slice(0, 300);
    return `${kind}: ${detail}`;
}

/** Runs one cloud call, counting it. */
export async function call<T>(ctx: CheckContext, f: () => Promise<T>): Promise<T> {
    ctx.clients.calls++;
    return f();
}

/** Builds findings for one resource. */
export class FindingsFor {
    readonly findings: RawFinding[] = [];
    constructor(
        readonly r: StateResource,
        readonly cloud: Cloud,
    ) {}

    add(kind: FindingKind, f: { expected: unknown; actual: unknown; message: string; severity?: Severity; subject?: string; specificity?: number }): void {
        this.findings.push({
            urn: this.r.urn,
            type: this.r.type,
            cloud: this.cloud,
            kind,
            severity: f.severity ?? FINDING_KINDS[kind].severity,
            expected: f.expected ?? null,
            actual: f.actual ?? null,
            message: f.message,
            subject: f.subject,
            specificity: f.specificity ?? 2,
        });
    }

    /** A read that failed: `resource-missing` for not-found, `read-failed` (with the reason) otherwise. */
    readError(operation: string, target: string, e: unknown, subject?: string): CheckResult {
        const cls = classifyError(e);
        if (cls === "not-found") {
            this.add("resource-missing", { expected: "exists", actual: null, message: `${target} no longer exists (${operation}: ${describeError(e)})`, subject });
            return { findings: this.findings, live: null };
        }
        const why = cls === "denied" ? "permission denied" : "the call failed";
        this.add("read-failed", { expected: "readable", actual: null, message: `cannot read ${target}: ${why} (${operation}: ${describeError(e)})`, subject });
        return { findings: this.findings };
    }

    /** A resource that cannot be looked up from state alone. */
    unreadable(reason: string): CheckResult {
        this.add("read-failed", { expected: "readable", actual: null, message: `cannot check this resource: ${reason}` });
        return { findings: this.findings };
    }
}
