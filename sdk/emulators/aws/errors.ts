/**
 * AWS KMS errors as the JSON 1.1 protocol carries them: `{"__type": "<Name>", "message": "..."}` with the HTTP
 * status of the SDK model (`@aws-sdk/client-kms` schemas: 404 NotFound, 409 for state conflicts, 5xx server faults,
 * 400 for everything else, including the unmodelled `ValidationException` and `ThrottlingException`).
 * Messages never carry key material.
 */

export type KmsErrorType =
    | "AlreadyExistsException"
    | "ConflictException"
    | "DisabledException"
    | "DryRunOperationException"
    | "ExpiredImportTokenException"
    | "IncorrectKeyException"
    | "IncorrectKeyMaterialException"
    | "InvalidAliasNameException"
    | "InvalidArnException"
    | "InvalidCiphertextException"
    | "InvalidImportTokenException"
    | "InvalidKeyUsageException"
    | "InvalidMarkerException"
    | "KMSInternalException"
    | "KMSInvalidMacException"
    | "KMSInvalidSignatureException"
    | "KMSInvalidStateException"
    | "LimitExceededException"
    | "MalformedPolicyDocumentException"
    | "NotFoundException"
    | "SerializationException"
    | "TagException"
    | "ThrottlingException"
    | "UnknownOperationException"
    | "UnsupportedOperationException"
    | "ValidationException";

const STATUS: Partial<Record<KmsErrorType, number>> = {
    NotFoundException: 404,
    AlreadyExistsException: 409,
    ConflictException: 409,
    DisabledException: 409,
    KMSInvalidStateException: 409,
    DryRunOperationException: 412,
    KMSInternalException: 500,
};

/** An error the emulator answers with; thrown by handlers, rendered by the server. */
export class KmsError extends Error {
    readonly status: number;
    constructor(
        readonly type: KmsErrorType,
        message: string,
    ) {
        super(message);
        this.name = type;
        this.status = STATUS[type] ?? 400;
    }
}

/** `throw kmsError("NotFoundException", "...")` */
export function kmsError(type: KmsErrorType, message: string): KmsError {
    return new KmsError(type, message);
}

/** The body AWS sends for an error. */
export function errorBody(err: KmsError): string {
    return JSON.stringify({ __type: err.type, message: err.message });
}
