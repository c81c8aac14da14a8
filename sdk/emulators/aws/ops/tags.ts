/**
 * Tags (TagResource, UntagResource, ListResourceTags) and the tag checks CreateKey shares, with the errors AWS
 * answers (recorded: `TagException` "Duplicate tag keys", "Too many tags", "Tags beginning with aws: are
 * reserved"; a key over 128 or a value over 256 characters is a `ValidationException` at `tags.N.member.tagKey`).
 */
import { kmsError } from "../errors";
import { invalid, type Tag } from "../input";
import { paginate, type Operations } from "./types";

const MAX_TAGS = 50;

/** The checks of a request's tags, in AWS's order: member constraints, then duplicates, count and reserved keys. */
export function checkTags(tags: Tag[], member = "tags"): Tag[] {
    tags.forEach((t, i) => {
        if (t.TagKey.length < 1) throw invalid(`${member}.${i + 1}.member.tagKey`, t.TagKey, "Member must have length greater than or equal to 1");
        if (t.TagKey.length > 128) throw invalid(`${member}.${i + 1}.member.tagKey`, t.TagKey, "Member must have length less than or equal to 128");
        if (t.TagValue.length > 256) throw invalid(`${member}.${i + 1}.member.tagValue`, t.TagValue, "Member must have length less than or equal to 256");
    });
    if (new Set(tags.map((t) => t.TagKey)).size !== tags.length) throw kmsError("TagException", "Duplicate tag keys");
    if (tags.length > MAX_TAGS) throw kmsError("TagException", "Too many tags");
    if (tags.some((t) => t.TagKey.toLowerCase().startsWith("aws:"))) throw kmsError("TagException", "Tags beginning with aws: are reserved");
    return tags;
}

/** Later tags with the same key replace earlier ones, keeping the first position. */
function merge(tags: Tag[]): Tag[] {
    const out: Tag[] = [];
    for (const t of tags) {
        const i = out.findIndex((o) => o.TagKey === t.TagKey);
        if (i >= 0) out[i] = t;
        else out.push(t);
    }
    return out;
}

export const tagOperations: Operations = {
    TagResource: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), false);
        const tags = input.tags("Tags");
        if (!tags) throw invalid("tags", undefined, "Member must not be null");
        checkTags(tags);
        m.requireNotPendingDeletion(key);
        const merged = merge([...key.tags, ...tags]);
        if (merged.length > MAX_TAGS) throw kmsError("LimitExceededException", `A KMS key can have at most ${MAX_TAGS} tags.`);
        key.tags = merged;
        return {};
    },
    UntagResource: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), false);
        const keys = input.stringList("TagKeys");
        if (!keys) throw invalid("tagKeys", undefined, "Member must not be null");
        m.requireNotPendingDeletion(key);
        key.tags = key.tags.filter((t) => !keys.includes(t.TagKey));
        return {};
    },
    ListResourceTags: (m, ctx, input) => {
        const key = m.key(ctx, input.reqStr("KeyId"), false);
        const page = paginate(key.tags, input, 50, 50);
        return { Tags: page.items, Truncated: page.truncated, NextMarker: page.nextMarker };
    },
};
