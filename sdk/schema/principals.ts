/**
 * Principal formats per cloud, checked before anything is created. `pulumi.Output` principals are accepted
 * as they are (their value is not known until deployment).
 */
import * as pulumi from "@pulumi/pulumi";
import { CloudName } from "./constants";
import { ValidationIssue } from "./errors";

export type Principal = pulumi.Input<string>;

const AWS_PRINCIPAL = /^arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:(?:root|(?:role|user)\/[\w+=,.@\/-]+)$/;
const GCP_PRINCIPAL = /^(?:(?:user|group|serviceAccount|domain):[^\s:]+|principal(?:Set)?:\/\/\S+)$/;
const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const AZURE_PRINCIPAL = new RegExp(`^(?:(?:user|group|servicePrincipal):)?${UUID}$`);
export const UUID_RE = new RegExp(`^${UUID}$`);

export const PRINCIPAL_FORMATS: Record<CloudName, string> = {
    aws: "IAM ARNs arn:aws:iam::<account>:root|role/<name>|user/<name>",
    gcp: "IAM members user:|group:|serviceAccount:|domain:<id>, principal://, principalSet://",
    azure: "Entra object ids <uuid>, optionally prefixed user:, group: or servicePrincipal:",
};

const PUBLIC_PRINCIPALS: Record<CloudName, readonly string[]> = {
    aws: ["*", "arn:aws:iam::*:root"],
    gcp: ["allUsers", "allAuthenticatedUsers"],
    azure: ["*"],
};

/** Problems with one principal (empty when it is fine or an Output). */
export function checkPrincipal(cloud: CloudName, principal: unknown, path: string): ValidationIssue[] {
    // A real Output: an object from YAML or JSON that only says `__pulumiOutput: true` is not one.
    if (pulumi.Output.isInstance(principal) && typeof (principal as { apply?: unknown }).apply === "function") return [];
    if (typeof principal !== "string") {
        return [{ code: "invalid_principal", path, message: "must be a principal string or an Output<string>", allowed: PRINCIPAL_FORMATS[cloud], got: principal }];
    }
    if (principal.trim() === "") {
        return [{ code: "invalid_principal", path, message: "is empty", allowed: PRINCIPAL_FORMATS[cloud], got: principal }];
    }
    if (PUBLIC_PRINCIPALS[cloud].includes(principal) || (cloud === "aws" && principal.includes("*"))) {
        return [{ code: "public_principal", path, message: "public or wildcard principals are never allowed on keys", allowed: PRINCIPAL_FORMATS[cloud], got: principal }];
    }
    const re = cloud === "aws" ? AWS_PRINCIPAL : cloud === "gcp" ? GCP_PRINCIPAL : AZURE_PRINCIPAL;
    if (!re.test(principal)) {
        return [{ code: "invalid_principal", path, message: `is not a valid ${cloud} principal`, allowed: PRINCIPAL_FORMATS[cloud], got: principal }];
    }
    return [];
}

/** Checks a list of principals: non-empty when given, each well-formed, no duplicates. */
export function checkPrincipalList(cloud: CloudName, list: unknown, path: string): ValidationIssue[] {
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
        return [{ code: "invalid_type", path, message: "must be a list of principals", allowed: PRINCIPAL_FORMATS[cloud], got: list }];
    }
    if (list.length === 0) {
        return [{ code: "empty_principals", path, message: "must list at least one principal, or be left out", got: list }];
    }
    const issues = list.flatMap((p, i) => checkPrincipal(cloud, p, `${path}[${i}]`));
    const seen = new Set<string>();
    list.forEach((p, i) => {
        if (typeof p !== "string") return;
        if (seen.has(p)) issues.push({ code: "duplicate", path: `${path}[${i}]`, message: "is listed twice", got: p });
        seen.add(p);
    });
    return issues;
}

/** Azure `principalType` from an optional prefix; the bare object id without it. */
export function splitAzurePrincipal(principal: string): { objectId: string; principalType?: "User" | "Group" | "ServicePrincipal" } {
    const m = /^(user|group|servicePrincipal):(.*)$/.exec(principal);
    if (!m) return { objectId: principal };
    const type = m[1] === "user" ? "User" : m[1] === "group" ? "Group" : "ServicePrincipal";
    return { objectId: m[2], principalType: type };
}

/** The AWS partition of a region: `cn-*` -> aws-cn, `us-gov-*` -> aws-us-gov, else aws. */
export function awsPartition(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}
