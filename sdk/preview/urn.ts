/**
 * URNs as the Pulumi engine builds them.
 *
 * `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified type is the parent's qualified type,
 * `$`, then the resource's own type, except under the root stack, whose type is left out: pulumi/pulumi
 * `sdk/go/common/resource/urn.go` `NewURN(stack, proj, parentType, baseType, name)`:
 *
 *     typ := string(baseType)
 *     if parentType != "" && parentType != RootStackType { typ = string(parentType) + URNTypeDelimiter + typ }
 *
 * with `parentType` the parent URN's `QualifiedType()` (the whole chain, not only the parent's own type), and
 * `RootStackType = "pulumi:pulumi:Stack"`. The mock monitor of `@pulumi/pulumi` keeps only the parent's own type and
 * keeps the stack's (`pulumi:pulumi:Stack$aws:kms/key:Key`), so URNs under mocks would not match `pulumi stack export`.
 */
export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The `<qualified type>` part of a URN: the whole `$`-joined chain of types. */
export function qualifiedType(urn: string): string {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a Pulumi URN: ${urn}`);
    return parts[2];
}

/** The resource's own type: the last link of the qualified type. */
export function baseType(urn: string): string {
    return qualifiedType(urn).split("$").pop()!;
}

/** The name: everything after the third `::` (names may themselves contain `::`). */
export function urnName(urn: string): string {
    return urn.split("::").slice(3).join("::");
}

export function newUrn(stack: string, project: string, parentUrn: string | undefined, type: string, name: string): string {
    let typ = type;
    if (parentUrn) {
        const parentType = qualifiedType(parentUrn);
        if (parentType !== ROOT_STACK_TYPE) typ = `${parentType}$${type}`;
    }
    return `urn:pulumi:${stack}::${project}::${typ}::${name}`;
}
