/**
 * The Cloud KMS emulator's errors as data: a canonical status name (google.rpc.Code) and the message the service
 * writes. The state model throws them; the protocol layer (../gcp.ts) turns them into gRPC statuses. No gRPC here.
 */

/** google.rpc.Code names the emulator answers with. */
export type KmsCode =
    | "INVALID_ARGUMENT"
    | "NOT_FOUND"
    | "ALREADY_EXISTS"
    | "PERMISSION_DENIED"
    | "FAILED_PRECONDITION"
    | "ABORTED"
    | "UNIMPLEMENTED"
    | "INTERNAL";

/** An error answered to the client as a status; messages never carry key material. */
export class KmsError extends Error {
    constructor(
        readonly code: KmsCode,
        message: string,
        /** A google.rpc.PreconditionFailure violation the service attaches (in the status details). */
        readonly violation?: { readonly type: string; readonly subject: string },
    ) {
        super(message);
        this.name = "KmsError";
    }
}

/** The resource types as Cloud KMS names them in its messages (`KeyRing projects/… not found.`). */
export type ResourceType = "KeyRing" | "CryptoKey" | "CryptoKeyVersion" | "ImportJob" | "RetiredResource" | "Location" | "Operation";

export const invalid = (message: string) => new KmsError("INVALID_ARGUMENT", message);
/** NOT_FOUND as the service words it: `CryptoKey projects/p/locations/l/keyRings/r/cryptoKeys/k not found.` */
export const notFound = (type: ResourceType, name: string) => new KmsError("NOT_FOUND", `${type} ${name} not found.`);
/** ALREADY_EXISTS as the service words it: `KeyRing projects/p/locations/l/keyRings/r already exists.` */
export const alreadyExists = (type: ResourceType, name: string) => new KmsError("ALREADY_EXISTS", `${type} ${name} already exists.`);
export const precondition = (message: string, violation?: { type: string; subject: string }) => new KmsError("FAILED_PRECONDITION", message, violation);
export const unimplemented = (message: string) => new KmsError("UNIMPLEMENTED", message);
/** PERMISSION_DENIED as IAM words it for Cloud KMS: the resource may also not exist (the caller may not know). */
export const permissionDenied = (permission: string, resource: string) =>
    new KmsError("PERMISSION_DENIED", `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`);
