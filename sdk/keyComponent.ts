/**
 * What every per-cloud key component shares: the grant methods over one `grant()` primitive, the checks that a
 * grant fits the key, and stable child names for grants.
 */
import * as pulumi from "@pulumi/pulumi";
import { CloudName, GRANT_ROLES, GrantRole, Purpose, USER_ROLE_FOR_PURPOSE } from "./schema/constants";
import { IssueCollector } from "./schema/errors";
import { shortHash, slug } from "./schema/names";
import { checkPrincipal, Principal } from "./schema/principals";

export interface GrantOptions {
    /**
     * Suffix of the grant's child resource name. Needed when the principal is an `Output` (its value is not
     * known when the name is chosen). @default a slug and hash of the principal
     */
    readonly name?: string;
}

/** Which purposes each grant role applies to (`admin` applies to every key). */
const ROLE_PURPOSES: Record<GrantRole, readonly Purpose[]> = {
    admin: ["encrypt", "sign", "mac"],
    encryptDecrypt: ["encrypt"],
    signVerify: ["sign"],
    macGenerateVerify: ["mac"],
};

export abstract class KeyComponent extends pulumi.ComponentResource {
    /** The logical purpose of the key, which decides the grants it accepts. */
    readonly purpose: Purpose;
    protected readonly cloud: CloudName;
    protected readonly baseName: string;

    protected constructor(type: string, name: string, cloud: CloudName, purpose: Purpose, args: object, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, args, opts);
        this.baseName = name;
        this.cloud = cloud;
        this.purpose = purpose;
    }

    /** Lets `principal` encrypt and decrypt with this key (encrypt keys only). */
    grantEncryptDecrypt(principal: Principal, opts?: GrantOptions): pulumi.Resource[] {
        return this.grant("encryptDecrypt", principal, opts);
    }

    /** Lets `principal` sign and verify with this key (sign keys only). */
    grantSignVerify(principal: Principal, opts?: GrantOptions): pulumi.Resource[] {
        return this.grant("signVerify", principal, opts);
    }

    /** Lets `principal` generate and verify MACs with this key (mac keys only). */
    grantMacGenerateVerify(principal: Principal, opts?: GrantOptions): pulumi.Resource[] {
        return this.grant("macGenerateVerify", principal, opts);
    }

    /** Lets `principal` administer (not use) this key. */
    grantAdmin(principal: Principal, opts?: GrantOptions): pulumi.Resource[] {
        return this.grant("admin", principal, opts);
    }

    /** Grants the role the key's users get for its purpose. */
    grantUse(principal: Principal, opts?: GrantOptions): pulumi.Resource[] {
        return this.grant(USER_ROLE_FOR_PURPOSE[this.purpose], principal, opts);
    }

    /**
     * The one grant primitive: creates additive resources (never edits the key) that give `principal` the
     * role. Throws when the role cannot apply to this key, or the principal is malformed.
     */
    grant(role: GrantRole, principal: Principal, opts: GrantOptions = {}): pulumi.Resource[] {
        this.checkGrantRequest(role, principal, opts);
        const suffix = opts.name ?? `${slug(principal as string, 20)}-${shortHash(principal as string)}`;
        return this.createGrant(role, principal, `${this.baseName}-grant-${role}-${suffix}`);
    }

    /**
     * The grants a key's args ask for: `admin` for each admin, the purpose's user role for each user. (A small
     * frame of its own: Pulumi captures a stack trace for every promise of a resource, and V8's cost for a frame
     * grows with how far into its function the call is, so resources are created from short functions.)
     */
    protected grantRoles(admins: readonly Principal[] = [], users: readonly Principal[] = []): pulumi.Resource[] {
        const created: pulumi.Resource[] = [];
        // An Output principal has no string to name its grant by until it resolves: it is named by its position
        // among the Output principals of its list (`output-1`, `output-2`, ...).
        const named = (list: readonly Principal[]) => {
            let n = 0;
            return list.map((p) => [p, pulumi.Output.isInstance(p) ? { name: `output-${++n}` } : {}] as const);
        };
        for (const [admin, opts] of named(admins)) created.push(...this.grant("admin", admin, opts));
        for (const [user, opts] of named(users)) created.push(...this.grant(USER_ROLE_FOR_PURPOSE[this.purpose], user, opts));
        return created;
    }

    /** Throws when the role cannot apply to this key, or the principal or name is malformed. */
    private checkGrantRequest(role: GrantRole, principal: Principal, opts: GrantOptions): void {
        const issues = new IssueCollector();
        if (!GRANT_ROLES.includes(role)) {
            issues.add({ code: "invalid_value", path: "role", message: "is not a grant role", allowed: GRANT_ROLES, got: role });
        } else if (!ROLE_PURPOSES[role].includes(this.purpose)) {
            issues.add({
                code: "unsupported",
                path: "role",
                message: `cannot be granted on a ${this.purpose} key`,
                allowed: GRANT_ROLES.filter((r) => ROLE_PURPOSES[r].includes(this.purpose)),
                got: role,
            });
        }
        checkPrincipal(this.cloud, principal, "principal").forEach((i) => issues.add(i));
        if (pulumi.Output.isInstance(principal) && !opts.name) {
            issues.add({ code: "missing_name", path: "opts.name", message: "is required when the principal is an Output, to name the grant" });
        }
        if (opts.name !== undefined && !/^[a-zA-Z0-9-]{1,40}$/.test(opts.name)) {
            issues.add({ code: "invalid_value", path: "opts.name", message: "is not a valid name suffix", allowed: "1-40 letters, digits, hyphens", got: opts.name });
        }
        issues.throwIfAny(`Grant on ${this.baseName}`);
        this.checkGrant(role);
    }

    /** Cloud-specific refusals (e.g. AWS grants cannot confer administration); throws. */
    protected abstract checkGrant(role: GrantRole): void;

    protected abstract createGrant(role: GrantRole, principal: Principal, childName: string): pulumi.Resource[];
}
