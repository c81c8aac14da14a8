/**
 * Reading a JSON 1.1 request body with AWS-style validation errors
 * (`1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null`).
 */
import { kmsError } from "./errors";

export interface Tag {
    TagKey: string;
    TagValue: string;
}

function memberPath(name: string): string {
    return name.charAt(0).toLowerCase() + name.slice(1);
}

const BLOB = Symbol("blob");

/**
 * AWS's validation message, as recorded: the value in full (`Value 'vvv…' at 'tags.1.member.tagValue'`), `null` when
 * missing, and no value for blobs (`Value at 'plaintext' failed to satisfy constraint: …`).
 */
export function invalid(name: string, value: unknown, constraint: string): Error {
    const shown = value === BLOB ? "" : value === undefined || value === null ? " null" : ` '${String(value)}'`;
    return kmsError("ValidationException", `1 validation error detected: Value${shown} at '${memberPath(name)}' failed to satisfy constraint: ${constraint}`);
}


export class Input {
    constructor(private readonly body: Record<string, unknown>) {}

    has(name: string): boolean {
        return this.body[name] !== undefined && this.body[name] !== null;
    }

    str(name: string, opts: { min?: number; max?: number } = {}): string | undefined {
        const v = this.body[name];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== "string") throw invalid(name, v, "Member must be a string");
        if (opts.min !== undefined && v.length < opts.min) throw invalid(name, v, `Member must have length greater than or equal to ${opts.min}`);
        if (opts.max !== undefined && v.length > opts.max) throw invalid(name, v, `Member must have length less than or equal to ${opts.max}`);
        return v;
    }

    reqStr(name: string, opts: { min?: number; max?: number } = {}): string {
        const v = this.str(name, { min: 1, ...opts });
        if (v === undefined) throw invalid(name, undefined, "Member must not be null");
        return v;
    }

    /** `shown`: the value set as AWS's message lists it (its order), when it differs from `values`. */
    enumOf<T extends string>(name: string, values: readonly T[], shown: readonly string[] = values): T | undefined {
        const v = this.str(name);
        if (v === undefined) return undefined;
        if (!(values as readonly string[]).includes(v)) throw invalid(name, v, `Member must satisfy enum value set: [${shown.join(", ")}]`);
        return v as T;
    }

    reqEnum<T extends string>(name: string, values: readonly T[]): T {
        const v = this.enumOf(name, values);
        if (v === undefined) throw invalid(name, undefined, "Member must not be null");
        return v;
    }

    int(name: string, min: number, max: number): number | undefined {
        const v = this.body[name];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== "number" || !Number.isInteger(v)) throw invalid(name, v, "Member must be an integer");
        if (v < min) throw invalid(name, v, `Member must have value greater than or equal to ${min}`);
        if (v > max) throw invalid(name, v, `Member must have value less than or equal to ${max}`);
        return v;
    }

    bool(name: string): boolean | undefined {
        const v = this.body[name];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== "boolean") throw invalid(name, v, "Member must be a boolean");
        return v;
    }

    /** A blob member: standard base64 on the wire. */
    blob(name: string, opts: { min?: number; max?: number } = {}): Buffer | undefined {
        const v = this.body[name];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw invalid(name, BLOB, "Member must be base64-encoded binary data");
        const b = Buffer.from(v, "base64");
        if (opts.min !== undefined && b.length < opts.min) throw invalid(name, BLOB, `Member must have length greater than or equal to ${opts.min}`);
        if (opts.max !== undefined && b.length > opts.max) throw invalid(name, BLOB, `Member must have length less than or equal to ${opts.max}`);
        return b;
    }

    reqBlob(name: string, opts: { min?: number; max?: number } = {}): Buffer {
        const v = this.blob(name, { min: 1, ...opts });
        if (v === undefined) throw invalid(name, undefined, "Member must not be null");
        return v;
    }

    /** A timestamp member: epoch seconds (fractions allowed) on the wire; returned as ms. */
    time(name: string): number | undefined {
        const v = this.body[name];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== "number" || !Number.isFinite(v)) throw invalid(name, v, "Member must be a timestamp");
        return Math.round(v * 1000);
    }

    stringMap(name: string): Record<string, string> | undefined {
        const v = this.body[name];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== "object" || Array.isArray(v) || Object.values(v as object).some((x) => typeof x !== "string")) {
            throw invalid(name, "<map>", "Member must be a map of strings to strings");
        }
        return v as Record<string, string>;
    }

    /** A structure member (e.g. Constraints). */
    object(name: string): Record<string, unknown> | undefined {
        const v = this.body[name];
        if (v === undefined || v === null) return undefined;
        if (typeof v !== "object" || Array.isArray(v)) throw invalid(name, "<structure>", "Member must be a structure");
        return v as Record<string, unknown>;
    }

    stringList(name: string): string[] | undefined {
        const v = this.body[name];
        if (v === undefined || v === null) return undefined;
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw invalid(name, "<list>", "Member must be a list of strings");
        return v as string[];
    }

    tags(name: string): Tag[] | undefined {
        const v = this.body[name];
        if (v === undefined || v === null) return undefined;
        if (!Array.isArray(v)) throw invalid(name, "<list>", "Member must be a list of tags");
        return v.map((t, i) => {
            if (!t || typeof t !== "object" || typeof t.TagKey !== "string" || typeof t.TagValue !== "string") {
                throw invalid(`${name}.${i + 1}.member`, "<tag>", "Member must have a string TagKey and a string TagValue");
            }
            return { TagKey: t.TagKey, TagValue: t.TagValue };
        });
    }
}
