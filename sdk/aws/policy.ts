/**
 * Key policies from roles: one statement per non-empty role, with a fixed Sid.
 *
 * `standard`: KeyOwners (`kms:*`, the account root by default), KeyAdministrators ({@link ADMIN_ACTIONS}), the users.
 * `strict`: KeyAccountRead (the owners, i.e. the account root, read-only), KeyDeployers ({@link DEPLOYER_ACTIONS}: the
 * only statement with `kms:PutKeyPolicy` and `kms:CreateGrant`), KeyAdministrators ({@link STRICT_ADMIN_ACTIONS}), the
 * users.
 */
import * as pulumi from "@pulumi/pulumi";
import { AwsKeyShape } from "../schema/capabilities";
import { Principal } from "../schema/principals";
import type { SeparationOfDuties } from "../schema/separation";
import {
    ADMIN_ACTIONS,
    ASYMMETRIC_ENCRYPT_USER_ACTIONS,
    DEPLOYER_ACTIONS,
    MAC_USER_ACTIONS,
    SERVICE_USER_ACTIONS,
    SIDS,
    SIGN_USER_ACTIONS,
    STRICT_ACCOUNT_ACTIONS,
    STRICT_ADMIN_ACTIONS,
    SYMMETRIC_USER_ACTIONS,
} from "./actions";

export interface KeyPolicyRoles {
    /** Full control (`kms:*`): by default the account root, so IAM policies can grant access and no lockout occurs. */
    readonly owners: readonly Principal[];
    readonly administrators?: readonly Principal[];
    readonly users?: readonly Principal[];
    readonly signers?: readonly Principal[];
    readonly macUsers?: readonly Principal[];
    readonly serviceUsers?: readonly Principal[];
    /** `strict` only: the principals that deploy the key, the only ones that change its policy. */
    readonly deployers?: readonly Principal[];
}

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow";
    Principal: { AWS: string[] };
    Action: string | string[];
    Resource: "*";
    Condition?: Record<string, Record<string, string>>;
}

export interface KeyPolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** The policy document for resolved principal values (pure; unit-testable). */
export function keyPolicyDocument(
    shape: AwsKeyShape,
    roles: { [K in keyof KeyPolicyRoles]?: readonly string[] },
    separation: SeparationOfDuties = "standard",
): KeyPolicyDocument {
    const statements: PolicyStatement[] = [];
    const add = (sid: string, principals: readonly string[] | undefined, action: string | readonly string[], condition?: PolicyStatement["Condition"]) => {
        if (!principals || principals.length === 0) return;
        const st: PolicyStatement = {
            Sid: sid,
            Effect: "Allow",
            Principal: { AWS: [...new Set(principals)] },
            Action: typeof action === "string" ? action : [...action],
            Resource: "*",
        };
        if (condition) st.Condition = condition;
        statements.push(st);
    };
    if (separation === "strict") {
        add(SIDS.accountRead, roles.owners, STRICT_ACCOUNT_ACTIONS);
        add(SIDS.deployers, roles.deployers, DEPLOYER_ACTIONS);
        add(SIDS.administrators, roles.administrators, STRICT_ADMIN_ACTIONS);
    } else {
        add(SIDS.owners, roles.owners, "kms:*");
        add(SIDS.administrators, roles.administrators, ADMIN_ACTIONS);
    }
    add(SIDS.users, roles.users, shape.symmetric ? SYMMETRIC_USER_ACTIONS : ASYMMETRIC_ENCRYPT_USER_ACTIONS);
    add(SIDS.signers, roles.signers, SIGN_USER_ACTIONS);
    add(SIDS.macUsers, roles.macUsers, MAC_USER_ACTIONS);
    add(SIDS.serviceUsers, roles.serviceUsers, SERVICE_USER_ACTIONS, { Bool: { "kms:GrantIsForAWSResource": "true" } });
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * The policy as JSON: a plain string when every principal is one (the usual case, and cheaper for the engine: an
 * `Output` input is awaited and tracked per resource), else an `Output` resolving the `Output` principals.
 */
export function keyPolicy(shape: AwsKeyShape, roles: KeyPolicyRoles, separation: SeparationOfDuties = "standard"): pulumi.Input<string> {
    const lists = [roles.owners, roles.administrators, roles.users, roles.signers, roles.macUsers, roles.serviceUsers, roles.deployers];
    if (lists.every((list) => (list ?? []).every((p) => typeof p === "string"))) {
        const [owners, administrators, users, signers, macUsers, serviceUsers, deployers] = lists as (readonly string[] | undefined)[];
        return JSON.stringify(keyPolicyDocument(shape, { owners, administrators, users, signers, macUsers, serviceUsers, deployers }, separation));
    }
    const all = (list?: readonly Principal[]) => pulumi.all([...(list ?? [])]) as pulumi.Output<string[]>;
    return pulumi
        .all([all(roles.owners), all(roles.administrators), all(roles.users), all(roles.signers), all(roles.macUsers), all(roles.serviceUsers), all(roles.deployers)])
        .apply(([owners, administrators, users, signers, macUsers, serviceUsers, deployers]) =>
            JSON.stringify(keyPolicyDocument(shape, { owners, administrators, users, signers, macUsers, serviceUsers, deployers }, separation)),
        );
}
