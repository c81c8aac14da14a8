import { resourceRule } from "../lib/rule";
import { DYNAMIC } from "../lib/props";

const JOB = "gcp:kms/keyRingImportJob:KeyRingImportJob";
/** keyfabric's GcpImportedKeyVersion imports with this method when importMethod is not set. */
const KEYFABRIC_DEFAULT_METHOD = "RSA_OAEP_4096_SHA256_AES_256";

type Verdict = { ok: true } | { ok: false; sha1: boolean; small: boolean; bits?: number; unknownMethod: boolean };

/**
 * RSA-OAEP methods: SHA-256 and at least `minBits`. The HPKE methods (ML-KEM, X-Wing) wrap with a post-quantum KEM and
 * HKDF-SHA256, stronger than any RSA method, and pass.
 */
function judge(method: unknown, minBits: number): Verdict {
    if (typeof method !== "string") return { ok: false, sha1: false, small: false, unknownMethod: true };
    if (/^HPKE_KEM_[A-Z0-9_]+_HKDF_SHA256_/.test(method)) return { ok: true };
    const m = /^RSA_OAEP_(\d+)_(SHA1|SHA256)(?:_AES_256)?$/.exec(method);
    if (!m) return { ok: false, sha1: false, small: false, unknownMethod: true };
    const sha1 = m[2] === "SHA1";
    const small = Number(m[1]) < minBits;
    return sha1 || small ? { ok: false, sha1, small, bits: Number(m[1]), unknownMethod: false } : { ok: true };
}

/** The same method with SHA-256 and a wrapping key of at least `minBits` (every such combination exists in Cloud KMS). */
function strengthened(method: string, minBits: number): string | undefined {
    const m = /^RSA_OAEP_(\d+)_(SHA1|SHA256)(_AES_256)?$/.exec(method);
    if (!m) return undefined;
    return `RSA_OAEP_${Math.max(Number(m[1]), minBits)}_SHA256${m[3] ?? ""}`;
}

/** Catalogue row 28: BYOK wrapping uses SHA-256 OAEP and a wrapping key of at least 3072 bits. */
export const rule = resourceRule(
    {
        name: "gcp-kms-keyringimportjob-require-sha256-import-method",
        description:
            "Cloud KMS import jobs, and keyfabric's GcpImportedKeyVersion imports, must wrap key material with RSA-OAEP using SHA-256 and a wrapping key of at least minWrappingKeyBits (3072 by default), or with a post-quantum HPKE method.",
        severity: "high",
        enforcementLevel: "advisory",
        frameworks: [
            { name: "NIST SP 800-57 Part 1", version: "Rev. 5", reference: "5.6.1 Comparable Algorithm Strengths; 6 Protection Requirements for Cryptographic Information (keys in transit)" },
            { name: "PCI DSS", version: "4.0", reference: "3.7.2 Secure distribution of cryptographic keys" },
        ],
        remediation:
            "Use importMethod RSA_OAEP_3072_SHA256_AES_256 or RSA_OAEP_4096_SHA256_AES_256 (RSA_OAEP_*_SHA256 for small symmetric material). Import jobs are immutable and their ids cannot be reused: create a new job with a new importJobId.",
        catalogueRows: [28],
        resourceTypes: [JOB, DYNAMIC.gcpImportedKeyVersion],
        configSchema: {
            properties: {
                minWrappingKeyBits: { type: "integer", enum: [3072, 4096], default: 3072, description: "The smallest allowed RSA wrapping key, in bits." },
            },
        },
    },
    {
        validateResource: (args, reportViolation) => {
            let method: unknown;
            let what: string;
            if (args.type === JOB) {
                method = args.props.importMethod;
                what = "This Cloud KMS import job";
            } else if (args.type === DYNAMIC.gcpImportedKeyVersion) {
                method = args.props.importMethod ?? KEYFABRIC_DEFAULT_METHOD; // never reads __provider
                what = "This Cloud KMS key import";
            } else {
                return;
            }
            const { minWrappingKeyBits } = args.getConfig<{ minWrappingKeyBits: number }>();
            const v = judge(method, minWrappingKeyBits);
            if (v.ok) return;
            if (v.unknownMethod) {
                reportViolation(`${what} does not use an approved import method (RSA-OAEP with SHA-256, or HPKE).`);
                return;
            }
            // One finding for the method, naming each weakness (the method name is config-like, but not echoed).
            if (v.sha1 && v.small) {
                reportViolation(`${what} wraps key material with SHA-1 OAEP under a ${v.bits}-bit RSA key; use a SHA-256 import method with at least ${minWrappingKeyBits} bits.`);
            } else if (v.sha1) {
                reportViolation(`${what} wraps key material with SHA-1 OAEP; use a SHA-256 import method.`);
            } else {
                reportViolation(`${what} wraps key material under a ${v.bits}-bit RSA key; at least ${minWrappingKeyBits} bits required.`);
            }
        },
        // Safe for GcpImportedKeyVersion only: its importMethod is an in-place update that applies to future imports
        // (the imported versions stay). An import job is immutable and its id cannot be reused, so it is not remediated.
        remediateResource: (args) => {
            if (args.type !== DYNAMIC.gcpImportedKeyVersion) return undefined;
            const { minWrappingKeyBits } = args.getConfig<{ minWrappingKeyBits: number }>();
            const method = args.props.importMethod;
            if (method === undefined || judge(method, minWrappingKeyBits).ok) return undefined;
            const next = typeof method === "string" ? strengthened(method, minWrappingKeyBits) : undefined;
            return next ? { ...args.props, importMethod: next } : undefined;
        },
    },
);
