/**
 * How a client addresses the Azure emulator: the emulator's own protocol, which keyfabric's client factories
 * (`sdk/clients`) follow. Two ways, both served:
 *
 * - **A port per vault or Managed HSM** (unmodified clients): `http://127.0.0.1:<port>` is one vault, as
 *   `https://<name>.vault.azure.net` is in Azure. Key ids, recovery ids and next-page links name that address, so a
 *   `CryptographyClient` built from a returned key, paging and the delete/recover pollers stay on the emulator.
 *   (`*.localhost` names do not resolve everywhere, and a path prefix breaks the SDK's id parsing: a key id must be
 *   `<origin>/keys/<name>/<version>`.)
 * - **The original host in a header** (the factories): every request goes to the main port with the Azure host in
 *   `x-keyfabric-original-host` (`<vault>.vault.azure.net`, `<hsm>.managedhsm.azure.net`, `management.azure.com`);
 *   ids keep the real host (`https://<vault>.vault.azure.net/keys/...`), as state files and drift expect.
 */
/** A Key Vault or a Managed HSM. */
export type VaultKind = "vault" | "managedHsm";

/** Header carrying the original Azure host to the emulator's main port. */
export const AZURE_HOST_HEADER = "x-keyfabric-original-host";

export const ARM_HOST = "management.azure.com";

/** The vault and the Managed HSM `keyfabric emulate` serves on ports of their own unless told otherwise. */
export const DEFAULT_VAULT_NAME = "kf-vault";
export const DEFAULT_HSM_NAME = "kf-hsm";

/** Key Vault and Managed HSM names: 3-24 letters, digits and hyphens, a letter first, no `--`, not ending with `-`. */
export const VAULT_NAME = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

/** What a request is for: a vault or HSM (and the origin its ids are written with), or ARM. */
export type Target = { readonly kind: VaultKind; readonly name: string; readonly host: string; readonly origin: string } | { readonly kind: "arm"; readonly host: string };

/** The target named by the original-host header, if it names a vault, an HSM or ARM. */
export function targetOfHost(header: string | string[] | undefined): Target | undefined {
    if (typeof header !== "string") return undefined;
    const host = header.toLowerCase().replace(/:\d+$/, "");
    if (host === ARM_HOST) return { kind: "arm", host };
    const vault = /^([a-z0-9-]{3,24})\.vault\.azure\.net$/.exec(host);
    if (vault) return { kind: "vault", name: vault[1], host, origin: `https://${host}` };
    const hsm = /^([a-z0-9-]{3,24})\.managedhsm\.azure\.net$/.exec(host);
    if (hsm) return { kind: "managedHsm", name: hsm[1], host, origin: `https://${host}` };
    return undefined;
}

/** The Azure host of a vault or HSM (DNS names are case-insensitive; Azure writes them in lower case). */
export function azureHost(kind: VaultKind, name: string): string {
    return kind === "vault" ? `${name.toLowerCase()}.vault.azure.net` : `${name.toLowerCase()}.managedhsm.azure.net`;
}
