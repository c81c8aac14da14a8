/**
 * Errors as Key Vault and ARM carry them: `{"error":{"code":"KeyNotFound","message":"…","innererror":{"code":"…"}}}`
 * with the HTTP status; `@azure/core-rest-pipeline` turns them into `RestError` with `statusCode` and `code`.
 * Messages never carry key material.
 */

export class AzureError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
        readonly innerCode?: string,
        readonly headers: Readonly<Record<string, string>> = {},
    ) {
        super(message);
        this.name = "AzureError";
    }

    body(): { error: { code: string; message: string; innererror?: { code: string } } } {
        return { error: { code: this.code, message: this.message, ...(this.innerCode ? { innererror: { code: this.innerCode } } : {}) } };
    }
}

/** 400 BadParameter: the data plane's answer to any invalid request. */
export const badParameter = (message: string, innerCode?: string) => new AzureError(400, "BadParameter", message, innerCode);

/** 404 KeyNotFound. */
export const keyNotFound = (name: string, version?: string) =>
    new AzureError(404, "KeyNotFound", `A key with (name/id) ${name}${version ? `/${version}` : ""} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`);

/** 403 Forbidden with an inner code, e.g. `KeyDisabled`. */
export const forbidden = (message: string, innerCode?: string) => new AzureError(403, "Forbidden", message, innerCode);

/** 409 Conflict. */
export const conflict = (message: string, innerCode?: string) => new AzureError(409, "Conflict", message, innerCode);

/** ARM 400 BadRequest. */
export const armBadRequest = (message: string, code = "BadRequest") => new AzureError(400, code, message);
