/**
 * AWS KMS errors as the JSON 1.1 protocol carries them: `{"__type": "<Name>", "message": "..."}`. Every error AWS
 * KMS sends for a refused request is HTTP 400, whatever its type (LocalStack's recordings of the real service:
 * NotFoundException, DisabledException, KMSInvalidStateException, DryRunOperationException all 400; the SDK model's
 * `httpError` 404/409/412 are not what the service sends); internal faults are 500.
 * Messages never carry key material; some are empty, as AWS sends them (InvalidCiphertextException,
 * KMSInvalidSignatureException, KMSInvalidMacException).
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
    | "InvalidGrantIdException"
    | "InvalidGrantTokenException"
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

/** The body AWS sends for an error; without a `message` member where AWS sends none (an empty message). */
export function errorBody(err: KmsError): string {
    return JSON.stringify(err.message === "" ? { __type: err.type } : { __type: err.type, message: err.message });
}
