/** What `inspect()` shows of the Cloud KMS emulator's state: everything but key material (fingerprints instead). */
import type { GcpInspection, GcpState } from "./state";

const iso = (ms: number) => new Date(ms).toISOString();

export function inspect(s: GcpState): GcpInspection {
    return {
        keyRings: Object.values(s.keyRings).map((kr) => ({ name: kr.name, createTime: iso(kr.createTime) })),
        cryptoKeys: Object.values(s.cryptoKeys).map((k) => ({
            name: k.name,
            purpose: k.purpose,
            protectionLevel: k.versionTemplate.protectionLevel,
            algorithm: k.versionTemplate.algorithm,
            importOnly: k.importOnly,
            labels: { ...k.labels },
            ...(k.primary !== undefined ? { primary: `${k.name}/cryptoKeyVersions/${k.primary}` } : {}),
            ...(k.rotationPeriodMs !== undefined ? { rotationPeriodSeconds: k.rotationPeriodMs / 1000 } : {}),
            ...(k.nextRotationTime !== undefined ? { nextRotationTime: iso(k.nextRotationTime) } : {}),
            destroyScheduledDurationSeconds: k.destroyScheduledDurationMs / 1000,
            versions: k.versions.map((v) => ({
                name: `${k.name}/cryptoKeyVersions/${v.id}`,
                state: v.state,
                algorithm: v.algorithm,
                protectionLevel: v.protectionLevel,
                ...(v.fingerprint !== undefined ? { fingerprint: v.fingerprint } : {}),
                ...(v.importJob !== undefined ? { importJob: v.importJob } : {}),
                ...(v.importFailureReason !== undefined ? { importFailureReason: v.importFailureReason } : {}),
                ...(v.destroyTime !== undefined ? { destroyTime: iso(v.destroyTime) } : {}),
            })),
        })),
        importJobs: Object.values(s.importJobs).map((j) => ({ name: j.name, state: j.state, importMethod: j.importMethod, protectionLevel: j.protectionLevel, expireTime: iso(j.expireTime) })),
        iamPolicies: Object.entries(s.iam).map(([resource, p]) => ({ resource, version: p.version, bindings: JSON.parse(JSON.stringify(p.bindings)), etag: p.etag })),
    };
}
