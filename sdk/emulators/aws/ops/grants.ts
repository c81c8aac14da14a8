/**
 * Grants: CreateGrant, ListGrants, RetireGrant, RevokeGrant, ListRetirableGrants, with the errors the API reference
 * lists for them (NotFoundException, DisabledException, KMSInvalidStateException, InvalidArnException,
 * InvalidGrantIdException, InvalidGrantTokenException, LimitExceededException, ValidationException,
 * DryRunOperationException). Grants are recorded and listed; the emulator does not authorize callers, so a grant
 * changes no answer of the cryptographic operations.
 */
import * as crypto from "crypto";
import { kmsError } from "../errors";
import { Input } from "../input";
import { partitionOf, secs, type KmsModel, type RequestContext } from "../model";
import { KEY_SPECS } from "../specs";
import type { GrantRecord, KeyRecord } from "../state";
import { dryRun, paginate, type Json, type Operations } from "./types";

const GRANT_OPERATIONS = [
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
] as const;
/** The operations a grant may allow, per key family (AWS refuses others with ValidationException). */
const ALLOWED: Record<string, readonly string[]> = {
    symmetric: ["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"],
    "rsa:ENCRYPT_DECRYPT": ["Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"],
    "rsa:SIGN_VERIFY": ["Sign", "Verify", "GetPublicKey"],
    ec: ["Sign", "Verify", "GetPublicKey"],
    hmac: ["GenerateMac", "VerifyMac"],
};
const ALWAYS = ["CreateGrant", "RetireGrant", "DescribeKey"];
/** Grants per KMS key (AWS quota "Grants for a KMS key": 50,000). */
const MAX_GRANTS_PER_KEY = 50_000;
const GRANT_ID = /^[0-9a-f]{64}$/;

function allowedFor(key: KeyRecord): readonly string[] {
    const family = KEY_SPECS[key.keySpec].family;
    return [...(ALLOWED[family === "rsa" ? `rsa:${key.keyUsage}` : family] ?? []), ...ALWAYS];
}

function principal(input: Input, member: string, required: boolean): string | undefined {
    const v = required ? input.reqStr(member, { max: 256 }) : input.str(member, { min: 1, max: 256 });
    if (v !== undefined && !/^[\w+=,.@:/-]+$/.test(v)) throw kmsError("ValidationException", `${member} ${v} is not a valid principal: use an ARN, an account id or a service principal.`);
    return v;
}

function constraintsOf(input: Input): GrantRecord["constraints"] {
    if (!input.has("Constraints")) return undefined;
    const sub = new Input(input.object("Constraints") as Record<string, unknown>);
    const subset = sub.stringMap("EncryptionContextSubset");
    const equals = sub.stringMap("EncryptionContextEquals");
    if (subset && equals) throw kmsError("ValidationException", "Constraints can have EncryptionContextSubset or EncryptionContextEquals, not both.");
    return { ...(subset ? { EncryptionContextSubset: subset } : {}), ...(equals ? { EncryptionContextEquals: equals } : {}) };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function grantJson(m: KmsModel, g: GrantRecord): Json {
    return {
        KeyId: m.keyArn(g.region, g.keyId),
        GrantId: g.grantId,
        Name: g.name,
        CreationDate: secs(g.creationDate),
        GranteePrincipal: g.granteePrincipal,
        RetiringPrincipal: g.retiringPrincipal,
        IssuingAccount: `arn:${partitionOf(g.region)}:iam::${m.state.accountId}:root`,
        Operations: g.operations,
        Constraints: g.constraints,
    };
}

function createGrant(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    const grantee = principal(input, "GranteePrincipal", true) as string;
    const retiring = principal(input, "RetiringPrincipal", false);
    const operations = input.stringList("Operations");
    if (!operations || operations.length === 0) throw kmsError("ValidationException", "1 validation error detected: Value null at 'operations' failed to satisfy constraint: Member must not be null");
    operations.forEach((op, i) => {
        if (!(GRANT_OPERATIONS as readonly string[]).includes(op)) {
            throw kmsError("ValidationException", `1 validation error detected: Value '[${operations.join(", ")}]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${GRANT_OPERATIONS.join(", ")}]] (operations[${i}])`);
        }
    });
    const name = input.str("Name", { min: 1, max: 256 });
    if (name !== undefined && !/^[a-zA-Z0-9:/_-]+$/.test(name)) throw kmsError("ValidationException", `Name ${name} may only contain a-z, A-Z, 0-9, :, /, _ and -.`);
    const constraints = constraintsOf(input);
    m.requireEnabled(key);
    const refused = operations.filter((op) => !allowedFor(key).includes(op));
    if (refused.length > 0) {
        throw kmsError("ValidationException", `Grant operations ${refused.join(", ")} are not valid for ${m.arn(key)} (${key.keySpec}, ${key.keyUsage}).`);
    }
    if (constraints && !m.isSymmetric(key)) throw kmsError("ValidationException", "Encryption context grant constraints are valid only for symmetric encryption KMS keys.");
    dryRun(input);
    const wanted = { granteePrincipal: grantee, retiringPrincipal: retiring, operations: [...operations].sort(), constraints };
    const existing =
        name === undefined
            ? undefined
            : m.grants.find(
                  (g) =>
                      g.region === key.region &&
                      g.keyId === key.keyId &&
                      g.name === name &&
                      same({ granteePrincipal: g.granteePrincipal, retiringPrincipal: g.retiringPrincipal, operations: [...g.operations].sort(), constraints: g.constraints }, wanted),
              );
    // A retry with the same Name and parameters returns the grant it made (with a new token), as AWS documents.
    if (existing) return { GrantId: existing.grantId, GrantToken: grantToken(existing.grantId) };
    if (m.grants.filter((g) => g.region === key.region && g.keyId === key.keyId).length >= MAX_GRANTS_PER_KEY) {
        throw kmsError("LimitExceededException", `${m.arn(key)} has reached the limit of ${MAX_GRANTS_PER_KEY} grants.`);
    }
    const grant: GrantRecord = {
        grantId: crypto.randomBytes(32).toString("hex"),
        keyId: key.keyId,
        region: key.region,
        ...(name !== undefined ? { name } : {}),
        granteePrincipal: grantee,
        ...(retiring !== undefined ? { retiringPrincipal: retiring } : {}),
        operations,
        ...(constraints ? { constraints } : {}),
        creationDate: m.now(),
    };
    m.grants.push(grant);
    return { GrantId: grant.grantId, GrantToken: grantToken(grant.grantId) };
}

function grantId(input: Input, required: boolean): string | undefined {
    const id = required ? input.reqStr("GrantId", { max: 128 }) : input.str("GrantId", { min: 1, max: 128 });
    if (id !== undefined && !GRANT_ID.test(id)) throw kmsError("InvalidGrantIdException", `Grant ID ${id} is not valid.`);
    return id;
}

function findGrant(m: KmsModel, key: KeyRecord, id: string): GrantRecord {
    const grant = m.grants.find((g) => g.region === key.region && g.keyId === key.keyId && g.grantId === id);
    if (!grant) throw kmsError("NotFoundException", `Grant ID ${id} not found for ${m.arn(key)}.`);
    return grant;
}

function remove(m: KmsModel, grant: GrantRecord): void {
    m.state.grants = m.grants.filter((g) => g !== grant);
}

function listGrants(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const key = m.key(ctx, input.reqStr("KeyId"), false);
    const id = grantId(input, false);
    const grantee = input.str("GranteePrincipal", { min: 1, max: 256 });
    const grants = m.grants.filter((g) => g.region === key.region && g.keyId === key.keyId && (id === undefined || g.grantId === id) && (grantee === undefined || g.granteePrincipal === grantee));
    const page = paginate(grants, input, 100, 50);
    return { Grants: page.items.map((g) => grantJson(m, g)), Truncated: page.truncated, NextMarker: page.nextMarker };
}

function retireGrant(m: KmsModel, ctx: RequestContext, input: Input): Json {
    const token = input.str("GrantToken", { min: 1, max: 8192 });
    const keyIdInput = input.str("KeyId", { min: 1, max: 2048 });
    const id = grantId(input, false);
    let grant: GrantRecord | undefined;
    if (token !== undefined) {
        const named = grantOfToken(token);
        grant = m.grants.find((g) => g.grantId === named);
        if (!grant) throw kmsError("InvalidGrantTokenException", "The grant token is not valid.");
        if (id !== undefined && grant.grantId !== id) throw kmsError("InvalidGrantIdException", `Grant ID ${id} is not the grant of this grant token.`);
    } else {
        if (keyIdInput === undefined || id === undefined) throw kmsError("ValidationException", "Specify either GrantToken, or both KeyId and GrantId.");
        grant = findGrant(m, m.key(ctx, keyIdInput, false), id);
    }
    const key = m.state.keys.find((k) => k.region === grant.region && k.keyId === grant.keyId);
    if (key) m.requireNotPendingDeletion(key);
    dryRun(input);
    remove(m, grant);
    return {};
}

/** A grant token: opaque to callers, a new one per CreateGrant answer, naming its grant (the emulator checks no signature). */
function grantToken(id: string): string {
    return Buffer.from(`kf-grant:${id}:${crypto.randomBytes(24).toString("hex")}`).toString("base64url");
}

function grantOfToken(token: string): string | undefined {
    const m = /^kf-grant:([0-9a-f]{64}):[0-9a-f]{48}$/.exec(Buffer.from(token, "base64url").toString("utf8"));
    return m?.[1];
}

export const grantOperations: Operations = {
    CreateGrant: createGrant,
    ListGrants: listGrants,
    RetireGrant: retireGrant,
    RevokeGrant: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), false);
        const grant = findGrant(m, key, grantId(input, true) as string);
        m.requireNotPendingDeletion(key);
        dryRun(input);
        remove(m, grant);
        return {};
    },
    ListRetirableGrants: (m, ctx, input) => {
        const retiring = input.reqStr("RetiringPrincipal", { max: 256 });
        const grants = m.grants.filter((g) => g.region === ctx.region && g.retiringPrincipal === retiring);
        const page = paginate(grants, input, 100, 50);
        return { Grants: page.items.map((g) => grantJson(m, g)), Truncated: page.truncated, NextMarker: page.nextMarker };
    },
};
