/**
 * IAM: the IAMPolicy mixin (Get/Set/TestIamPermissions on key rings, crypto keys and import jobs) and denials a test
 * sets up, so that PERMISSION_DENIED paths can be tested: the emulator has no identity service, so every call is
 * allowed unless a `DenyRule` matches its permission (cloud.google.com/kms/docs/reference/permissions-and-roles), its
 * resource and its caller. The caller is the `x-goog-iam-principal` request header, when a test's client sends one
 * (`{ otherArgs: { headers: { "x-goog-iam-principal": "user:ann@example.com" } } }`); without it, only rules with no
 * `principal` match. A denied call fails before anything is looked up, as IAM answers: `Permission
 * 'cloudkms.cryptoKeyVersions.useToEncrypt' denied on resource 'projects/…/cryptoKeys/k' (or it may not exist).`
 */
import * as crypto from "crypto";
import { invalid, KmsError, permissionDenied } from "../errors";
import type { KmsModel } from "../model";
import type { IamBinding, IamRecord } from "../state";
import { bytes, isName } from "../wire";
import type { Handler, Req } from "./validate";

const IAM_MEMBER = /^(allUsers|allAuthenticatedUsers|(user|serviceAccount|group|domain|principal|principalSet|deleted:user|deleted:serviceAccount|deleted:group|projectOwner|projectEditor|projectViewer):.+)$/;

/** The request header naming the caller, for deny rules. */
export const PRINCIPAL_HEADER = "x-goog-iam-principal";

export interface DenyRule {
    /** A Cloud KMS permission, e.g. `cloudkms.cryptoKeyVersions.useToEncrypt`, or `*` for every one. */
    readonly permission: string;
    /** The caller (`user:…`, `serviceAccount:…`); absent: every caller. */
    readonly principal?: string;
    /** A resource name; the rule also covers its children (a key ring covers its keys). Absent: every resource. */
    readonly resource?: string;
}

/** The permission each RPC checks and the request field naming the resource it checks it on. */
const PERMISSIONS: Readonly<Record<string, readonly [string | ((r: Req) => string), string]>> = {
    ListLocations: ["cloudkms.locations.list", "name"],
    GetLocation: ["cloudkms.locations.get", "name"],
    GenerateRandomBytes: ["cloudkms.locations.generateRandomBytes", "location"],
    CreateKeyRing: ["cloudkms.keyRings.create", "parent"],
    GetKeyRing: ["cloudkms.keyRings.get", "name"],
    ListKeyRings: ["cloudkms.keyRings.list", "parent"],
    CreateCryptoKey: ["cloudkms.cryptoKeys.create", "parent"],
    GetCryptoKey: ["cloudkms.cryptoKeys.get", "name"],
    ListCryptoKeys: ["cloudkms.cryptoKeys.list", "parent"],
    UpdateCryptoKey: ["cloudkms.cryptoKeys.update", "cryptoKey.name"],
    UpdateCryptoKeyPrimaryVersion: ["cloudkms.cryptoKeys.update", "name"],
    DeleteCryptoKey: ["cloudkms.cryptoKeys.delete", "name"],
    CreateCryptoKeyVersion: ["cloudkms.cryptoKeyVersions.create", "parent"],
    GetCryptoKeyVersion: ["cloudkms.cryptoKeyVersions.get", "name"],
    ListCryptoKeyVersions: ["cloudkms.cryptoKeyVersions.list", "parent"],
    UpdateCryptoKeyVersion: ["cloudkms.cryptoKeyVersions.update", "cryptoKeyVersion.name"],
    DestroyCryptoKeyVersion: ["cloudkms.cryptoKeyVersions.destroy", "name"],
    RestoreCryptoKeyVersion: ["cloudkms.cryptoKeyVersions.restore", "name"],
    DeleteCryptoKeyVersion: ["cloudkms.cryptoKeyVersions.delete", "name"],
    ImportCryptoKeyVersion: ["cloudkms.cryptoKeyVersions.create", "parent"],
    CreateImportJob: ["cloudkms.importJobs.create", "parent"],
    GetImportJob: ["cloudkms.importJobs.get", "name"],
    ListImportJobs: ["cloudkms.importJobs.list", "parent"],
    Encrypt: ["cloudkms.cryptoKeyVersions.useToEncrypt", "name"],
    Decrypt: ["cloudkms.cryptoKeyVersions.useToDecrypt", "name"],
    RawEncrypt: ["cloudkms.cryptoKeyVersions.useToEncrypt", "name"],
    RawDecrypt: ["cloudkms.cryptoKeyVersions.useToDecrypt", "name"],
    AsymmetricSign: ["cloudkms.cryptoKeyVersions.useToSign", "name"],
    AsymmetricDecrypt: ["cloudkms.cryptoKeyVersions.useToDecrypt", "name"],
    GetPublicKey: ["cloudkms.cryptoKeyVersions.viewPublicKey", "name"],
    MacSign: ["cloudkms.cryptoKeyVersions.useToSign", "name"],
    MacVerify: ["cloudkms.cryptoKeyVersions.useToVerify", "name"],
    GetIamPolicy: [(r) => `${iamType(r.resource)}.getIamPolicy`, "resource"],
    SetIamPolicy: [(r) => `${iamType(r.resource)}.setIamPolicy`, "resource"],
};

function iamType(resource: unknown): string {
    return isName("importJob", resource) ? "cloudkms.importJobs" : isName("cryptoKey", resource) ? "cloudkms.cryptoKeys" : "cloudkms.keyRings";
}

const field = (r: Req, path: string): string => String(path.split(".").reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), r) ?? "");
const covers = (rule: DenyRule, resource: string) => rule.resource === undefined || resource === rule.resource || resource.startsWith(`${rule.resource}/`);

export class Denials {
    private rules: DenyRule[] = [];

    deny(rule: DenyRule): void {
        if (typeof rule?.permission !== "string" || !(rule.permission === "*" || /^cloudkms\.[a-zA-Z]+\.[a-zA-Z]+$/.test(rule.permission))) {
            throw new TypeError(`deny: permission must be a Cloud KMS permission such as cloudkms.cryptoKeyVersions.useToEncrypt, or "*" (got ${JSON.stringify(rule?.permission)})`);
        }
        this.rules.push({ ...rule });
    }

    clear(): void {
        this.rules = [];
    }

    denied(permission: string, resource: string, principal: string | undefined): boolean {
        return this.rules.some((rule) => (rule.permission === "*" || rule.permission === permission) && covers(rule, resource) && (rule.principal === undefined || rule.principal === principal));
    }

    /** Throws PERMISSION_DENIED when a rule denies `operation` to `principal`. */
    authorize(operation: string, request: Req, principal: string | undefined): void {
        const entry = PERMISSIONS[operation];
        if (!entry || this.rules.length === 0) return;
        const [permission, resourceField] = entry;
        const p = typeof permission === "function" ? permission(request) : permission;
        const resource = field(request, resourceField);
        if (this.denied(p, resource, principal)) throw permissionDenied(p, resource);
    }
}

export function iamHandlers(model: KmsModel, denials: Denials): Record<string, Handler> {
    /** Key rings, crypto keys and import jobs carry IAM policies. */
    const iamResource = (resource: unknown): string => {
        if (isName("keyRing", resource)) model.keyRing(resource);
        else if (isName("cryptoKey", resource)) model.cryptoKey(resource);
        else if (isName("importJob", resource)) model.importJob(resource);
        else throw invalid(`resource: must be a key ring, crypto key or import job (got ${JSON.stringify(resource ?? "")})`);
        return resource;
    };
    const policy = (resource: string): IamRecord => model.state.iam[resource] ?? { version: 1, bindings: [], etag: etagOf(resource, 0, []), serial: 0 };
    const policyView = (p: IamRecord) => ({ version: p.version, bindings: p.bindings.map((b) => ({ ...b, members: [...b.members] })), etag: Buffer.from(p.etag, "base64") });

    const setIamPolicy = (r: Req) => {
        const resource = iamResource(r.resource);
        const current = policy(resource);
        const next = r.policy ?? {};
        const etag = bytes(next.etag);
        if (etag.length > 0 && !etag.equals(Buffer.from(current.etag, "base64"))) {
            throw new KmsError("ABORTED", "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.");
        }
        const bindings: IamBinding[] = [];
        for (const [i, b] of ((next.bindings ?? []) as Req[]).entries()) {
            if (typeof b.role !== "string" || !/^(roles|projects\/[^/]+\/roles|organizations\/[^/]+\/roles)\/.+/.test(b.role)) {
                throw invalid(`policy.bindings[${i}].role: must be a role name such as roles/cloudkms.cryptoKeyEncrypterDecrypter (got ${JSON.stringify(b.role ?? "")})`);
            }
            const members = (b.members ?? []) as string[];
            for (const m of members) if (!IAM_MEMBER.test(m)) throw invalid(`policy.bindings[${i}].members: ${JSON.stringify(m)} is not a valid member`);
            if (members.length === 0) continue;
            const binding: IamBinding = { role: b.role, members: [...members] };
            if (b.condition) binding.condition = pick(b.condition, ["expression", "title", "description", "location"]);
            bindings.push(binding);
        }
        const version = Number(next.version ?? 0) || 1;
        if (![1, 3].includes(version)) throw invalid(`policy.version: must be 1 or 3 (got ${version})`);
        if (bindings.some((b) => b.condition) && version !== 3) throw invalid("policy.version: must be 3 when a binding has a condition");
        const serial = current.serial + 1;
        const record: IamRecord = { version, bindings, etag: etagOf(resource, serial, bindings), serial };
        model.state.iam[resource] = record;
        return policyView(record);
    };

    return {
        GetIamPolicy: (r) => policyView(policy(iamResource(r.resource))),
        SetIamPolicy: setIamPolicy,
        /** Every Cloud KMS permission asked about is granted, except what a deny rule takes away (TestIamPermissions never fails for that). */
        TestIamPermissions: (r, context) => {
            const resource = iamResource(r.resource);
            const asked = ((r.permissions ?? []) as string[]).filter((p) => p.startsWith("cloudkms."));
            return { permissions: asked.filter((p) => !denials.denied(p, resource, context.principal)) };
        },
    };
}

function etagOf(resource: string, serial: number, bindings: IamBinding[]): string {
    return crypto.createHash("sha256").update(`${resource}\0${serial}\0${JSON.stringify(bindings)}`).digest().subarray(0, 8).toString("base64");
}

function pick<T extends Record<string, unknown>>(o: T, keys: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of keys) if (typeof o[k] === "string" && o[k] !== "") out[k] = o[k] as string;
    return out;
}
