/** Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases. */
import { kmsError } from "../errors";
import type { Input } from "../input";
import { secs } from "../model";
import { paginate, type Operations } from "./types";

/**
 * An alias name as AWS checks it: without the `alias/` prefix, ValidationException with the recorded message
 * (test_create_alias); the reserved `alias/aws/` and other characters, InvalidAliasNameException.
 */
function aliasName(input: Input, member = "AliasName"): string {
    const name = input.reqStr(member, { max: 256 });
    if (!name.startsWith("alias/")) {
        throw kmsError("ValidationException", `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`);
    }
    if (name.startsWith("alias/aws/")) throw kmsError("InvalidAliasNameException", "Alias names that begin with alias/aws/ are reserved for AWS managed keys.");
    if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name)) throw kmsError("InvalidAliasNameException", `Alias ${name} contains characters that are not allowed: use a-z, A-Z, 0-9, /, _ and -.`);
    return name;
}

export const aliasOperations: Operations = {
    CreateAlias: (m, ctx, input) => {
        const name = aliasName(input);
        const key = m.key(ctx, input.reqStr("TargetKeyId"), false);
        m.requireNotPendingDeletion(key);
        if (m.state.aliases.some((a) => a.region === ctx.region && a.name === name)) {
            throw kmsError("AlreadyExistsException", `An alias with the name ${m.aliasArn(ctx.region, name)} already exists`);
        }
        const now = m.now();
        m.state.aliases.push({ name, region: ctx.region, targetKeyId: key.keyId, creationDate: now, lastUpdatedDate: now });
        return {};
    },
    UpdateAlias: (m, ctx, input) => {
        const name = aliasName(input);
        const alias = m.findAlias(ctx, name);
        const key = m.key(ctx, input.reqStr("TargetKeyId"), false);
        m.requireNotPendingDeletion(key);
        const old = m.state.keys.find((k) => k.keyId === alias.targetKeyId && k.region === ctx.region);
        if (old && m.isSymmetric(old) !== m.isSymmetric(key)) {
            throw kmsError("ValidationException", `${m.arn(key)} is not the same type of key as the current target of ${name}.`);
        }
        if (old && old.keyUsage !== key.keyUsage) {
            throw kmsError("ValidationException", `${m.arn(key)} has key usage ${key.keyUsage}, but the current target of ${name} has ${old.keyUsage}.`);
        }
        alias.targetKeyId = key.keyId;
        alias.lastUpdatedDate = m.now();
        return {};
    },
    DeleteAlias: (m, ctx, input) => {
        const alias = m.findAlias(ctx, input.reqStr("AliasName", { max: 256 }));
        m.state.aliases = m.state.aliases.filter((a) => a !== alias);
        return {};
    },
    ListAliases: (m, ctx, input) => {
        const keyId = input.str("KeyId");
        const key = keyId === undefined ? undefined : m.key(ctx, keyId, false);
        const aliases = m.state.aliases
            .filter((a) => a.region === ctx.region && (!key || a.targetKeyId === key.keyId))
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
            .map((a) => ({
                AliasName: a.name,
                AliasArn: m.aliasArn(a.region, a.name),
                TargetKeyId: a.targetKeyId,
                CreationDate: secs(a.creationDate),
                LastUpdatedDate: secs(a.lastUpdatedDate),
            }));
        const page = paginate(aliases, input, 100, 50);
        return { Aliases: page.items, Truncated: page.truncated, NextMarker: page.nextMarker };
    },
};
