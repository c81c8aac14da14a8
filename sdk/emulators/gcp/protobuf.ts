/**
 * Protobuf wire encoding of the few small messages the Cloud KMS emulator packs into `google.protobuf.Any` or the
 * `grpc-status-details-bin` trailer (LocationMetadata, DeleteCryptoKeyMetadata, google.rpc.Status and
 * PreconditionFailure), where no loaded descriptor does it.
 */

function varint(n: number): Buffer {
    const out: number[] = [];
    while (n > 0x7f) {
        out.push((n & 0x7f) | 0x80);
        n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
}

/** A length-delimited field (string, bytes, embedded message). */
export function bytesField(field: number, b: Buffer): Buffer {
    return Buffer.concat([varint((field << 3) | 2), varint(b.length), b]);
}
export const stringField = (field: number, s: string) => bytesField(field, Buffer.from(s));
export const boolField = (field: number, v: boolean) => (v ? Buffer.from([field << 3, 1]) : Buffer.alloc(0));
const int32Field = (field: number, n: number) => (n === 0 ? Buffer.alloc(0) : Buffer.concat([varint(field << 3), varint(n)]));

/** A google.protobuf.Any object for the loaded descriptors (both spellings of `type_url`: they differ in whether they keep the proto's case). */
export const any = (type: string, value: Buffer) => ({ typeUrl: `type.googleapis.com/${type}`, type_url: `type.googleapis.com/${type}`, value });

/** google.protobuf.Any, encoded. */
const anyBytes = (type: string, value: Buffer) => Buffer.concat([stringField(1, `type.googleapis.com/${type}`), bytesField(2, value)]);

/**
 * google.rpc.Status {code, message, details: [google.rpc.PreconditionFailure {violations: [{type, subject}]}]}, the
 * `grpc-status-details-bin` trailer with which clients read `error.statusDetails`.
 */
export function preconditionStatus(code: number, message: string, violation: { type: string; subject: string }): Buffer {
    const v = Buffer.concat([stringField(1, violation.type), stringField(2, violation.subject)]);
    const failure = bytesField(1, v);
    return Buffer.concat([int32Field(1, code), stringField(2, message), bytesField(3, anyBytes("google.rpc.PreconditionFailure", failure))]);
}
