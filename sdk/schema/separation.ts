/**
 * Separation of duties: `separationOfDuties` of a domain (`standard`, the default, or `strict`) and the `deployer`
 * principals of a strict domain (on the domain, else on the hierarchy), checked before anything is created.
 *
 * `standard` keeps each cloud's customary roles: administrators may also change who uses a key (AWS `kms:Put*`,
 * GCP `roles/cloudkms.admin` with `setIamPolicy`, Azure Key Vault Crypto Officer, which also encrypts and signs), and
 * the AWS account keeps `kms:*`. `strict` gives administrators management without use or permission changes (AWS
 * statements without them, Azure and GCP custom roles), users use without management, and makes the deployer the
 * only principal that changes key policies, IAM policies or role assignments. See the README's table.
 */
import { CLOUDS, CloudName } from "./constants";
import { IssueCollector } from "./errors";
import { checkPrincipalList, Principal, PRINCIPAL_FORMATS } from "./principals";
import type { PerCloud } from "./schema";

export const SEPARATION_MODES = ["standard", "strict"] as const;
export type SeparationOfDuties = (typeof SEPARATION_MODES)[number];

/** What only the deployer may change, per cloud: for messages. */
const DEPLOYER_DUTY: Record<CloudName, string> = {
    aws: "the key policies (kms:PutKeyPolicy) and grants",
    gcp: "the IAM policies (setIamPolicy)",
    azure: "the role assignments (Microsoft.Authorization/roleAssignments/write)",
};

/** Who may deploy, per cloud (the AWS account principal is refused: it would delegate to every IAM policy). */
const DEPLOYER_FORMATS: Record<CloudName, string> = {
    aws: "IAM role or user ARNs arn:aws:iam::<account>:role/<name>|user/<name>",
    gcp: PRINCIPAL_FORMATS.gcp,
    azure: PRINCIPAL_FORMATS.azure,
};

/** The AWS account principal: in a strict domain it would delegate to every IAM policy of the account. */
const AWS_ROOT = /^arn:aws[-a-z]*:iam::\d{12}:root$/;

export interface ResolvedSeparation {
    readonly separationOfDuties: SeparationOfDuties;
    /** The deployer per cloud (strict domains only: the domain's, else the hierarchy's). */
    readonly deployer: PerCloud<Principal[]>;
}

const isObj = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * A domain's separation of duties, with its problems: a strict domain names a deployer for every cloud it has keys
 * in; the deployer is neither an administrator nor a user; the AWS account principal is none of them (it would
 * delegate to IAM policies); a `deployer` on a standard domain is refused (it would restrict nothing).
 */
export function resolveSeparation(
    spec: Record<string, any>,
    rawDomain: Record<string, any>,
    dpath: string,
    dname: string,
    keyClouds: readonly CloudName[],
    configured: readonly CloudName[],
    issues: IssueCollector,
): ResolvedSeparation {
    const mode: SeparationOfDuties = rawDomain.separationOfDuties === "strict" ? "strict" : "standard";
    const own = isObj(rawDomain.deployer) ? rawDomain.deployer : undefined;
    const shared = isObj(spec.deployer) ? spec.deployer : undefined;
    if (own) {
        for (const cloud of CLOUDS) checkDeployerList(own[cloud], cloud, `${dpath}.deployer.${cloud}`, configured, issues);
    }
    if (mode !== "strict") {
        if (rawDomain.deployer !== undefined) {
            issues.add({
                code: "unsupported",
                path: `${dpath}.deployer`,
                message: `applies to domains with separationOfDuties strict, and domain ${dname} is standard`,
                allowed: "separationOfDuties: strict, or leave deployer out",
            });
        }
        return { separationOfDuties: mode, deployer: {} };
    }
    const deployer: PerCloud<Principal[]> = {};
    for (const cloud of keyClouds) {
        const list = own?.[cloud] ?? shared?.[cloud];
        if (!Array.isArray(list) || list.length === 0) {
            issues.add({
                code: "missing_deployer",
                path: `${dpath}.deployer.${cloud}`,
                message: `is required: domain ${dname} has separationOfDuties strict and ${cloud} keys, and only its deployer may change ${DEPLOYER_DUTY[cloud]}; set it here or in deployer.${cloud}`,
                allowed: DEPLOYER_FORMATS[cloud],
            });
            continue;
        }
        deployer[cloud] = list as Principal[];
        const where = own?.[cloud] !== undefined ? `${dpath}.deployer.${cloud}` : `deployer.${cloud}`;
        checkDutiesApart(rawDomain, dpath, dname, cloud, list, where, issues);
    }
    return { separationOfDuties: mode, deployer };
}

/** The hierarchy-wide `deployer`: well-formed, for configured clouds, and used by at least one strict domain. */
export function checkHierarchyDeployer(spec: Record<string, any>, configured: readonly CloudName[], strictDomains: number, issues: IssueCollector): void {
    if (!isObj(spec.deployer)) return;
    for (const cloud of CLOUDS) checkDeployerList(spec.deployer[cloud], cloud, `deployer.${cloud}`, configured, issues);
    if (strictDomains === 0) {
        issues.add({
            code: "unsupported",
            path: "deployer",
            message: "applies to domains with separationOfDuties strict, and no domain is strict",
            allowed: "separationOfDuties: strict on a domain, or leave deployer out",
        });
    }
}

function checkDeployerList(list: unknown, cloud: CloudName, path: string, configured: readonly CloudName[], issues: IssueCollector): void {
    if (list === undefined) return;
    checkPrincipalList(cloud, list, path).forEach((i) => issues.add(i));
    if (configured.length > 0 && !configured.includes(cloud)) {
        issues.add({ code: "cloud_not_configured", path, message: `names ${cloud} principals but clouds.${cloud} is not configured`, allowed: configured.join(", ") });
    }
    if (cloud === "aws") {
        asArray(list).forEach((p, i) => {
            if (typeof p === "string" && AWS_ROOT.test(p)) {
                issues.add({ code: "separation_of_duties", path: `${path}[${i}]`, message: "is the account principal, which would let every IAM policy of the account change the key policies: name the role that deploys", got: p });
            }
        });
    }
}

/** A strict domain: the deployer is not also an administrator or user, and the AWS account principal is neither. */
function checkDutiesApart(rawDomain: Record<string, any>, dpath: string, dname: string, cloud: CloudName, deployer: unknown[], where: string, issues: IssueCollector): void {
    const lists: [string, unknown][] = [
        [`${dpath}.admins.${cloud}`, isObj(rawDomain.admins) ? rawDomain.admins[cloud] : undefined],
        [`${dpath}.users.${cloud}`, isObj(rawDomain.users) ? rawDomain.users[cloud] : undefined],
        ...asArray(rawDomain.keys).map((k, ki): [string, unknown] => [`${dpath}.keys[${ki}].users.${cloud}`, isObj(k) && isObj(k.users) ? k.users[cloud] : undefined]),
    ];
    for (const [path, list] of lists) {
        asArray(list).forEach((p, i) => {
            if (typeof p !== "string") return;
            if (deployer.includes(p)) {
                issues.add({ code: "separation_of_duties", path: `${path}[${i}]`, message: `is also the deployer of domain ${dname} (${where}): the deployer changes who may use the keys, and neither administers nor uses them`, got: p });
            } else if (cloud === "aws" && AWS_ROOT.test(p)) {
                issues.add({ code: "separation_of_duties", path: `${path}[${i}]`, message: `is the account principal, which in strict domain ${dname} would delegate to every IAM policy of the account: name the roles`, got: p });
            }
        });
    }
}
