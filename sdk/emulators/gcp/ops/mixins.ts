/**
 * The mixins a KeyManagementServiceClient calls on the same channel besides KMS itself: google.cloud.location.Locations
 * (`client.listLocations` / `client.getLocation`) and google.longrunning.Operations (what DeleteCryptoKey and
 * DeleteCryptoKeyVersion return: a google.longrunning.Operation, done at once since the deletion is immediate).
 *
 * Locations: Cloud KMS answers for the locations it serves, each with a google.cloud.kms.v1.LocationMetadata
 * (`hsm_available`, `ekm_available`) in `metadata`. The emulator lists the locations below (a subset of
 * cloud.google.com/kms/docs/locations) and every location holding one of its key rings; any other is NOT_FOUND.
 */
import * as crypto from "crypto";
import { notFound } from "../errors";
import type { KmsModel } from "../model";
import { any, boolField } from "../protobuf";
import { list } from "../query";
import { requireName } from "../wire";
import type { Handler, Req } from "./validate";

/** locationId → display name (cloud.google.com/kms/docs/locations). */
export const KMS_LOCATIONS: Readonly<Record<string, string>> = {
    global: "Global",
    us: "United States",
    europe: "Europe",
    asia: "Asia",
    "us-central1": "Iowa",
    "us-east1": "South Carolina",
    "us-east4": "Northern Virginia",
    "us-west1": "Oregon",
    "europe-west1": "Belgium",
    "europe-west2": "London",
    "europe-west3": "Frankfurt",
    "europe-west4": "Netherlands",
    "asia-east1": "Taiwan",
    "asia-northeast1": "Tokyo",
    "australia-southeast1": "Sydney",
};

/** Finished operations, by name (not persisted: they describe calls of this run). */
export class OperationStore {
    private readonly done = new Map<string, object>();

    /** A done Operation for `parent`'s location, with `google.protobuf.Empty` as its response. */
    finished(resource: string, metadata: { type: string; value: Buffer }) {
        const location = resource.split("/").slice(0, 4).join("/");
        const op = { name: `${location}/operations/${crypto.randomUUID()}`, metadata: any(metadata.type, metadata.value), done: true, response: any("google.protobuf.Empty", Buffer.alloc(0)) };
        this.done.set(op.name, op);
        return op;
    }

    get(name: string) {
        const op = this.done.get(name);
        if (!op) throw notFound("Operation", name);
        return op;
    }
}

function locationView(project: string, id: string) {
    return {
        name: `${project}/locations/${id}`,
        locationId: id,
        displayName: KMS_LOCATIONS[id] ?? id,
        labels: {},
        metadata: any("google.cloud.kms.v1.LocationMetadata", Buffer.concat([boolField(1, true), boolField(2, false)])),
    };
}

function locationsOf(model: KmsModel, project: string): string[] {
    const inUse = Object.keys(model.state.keyRings)
        .filter((n) => n.startsWith(`${project}/locations/`))
        .map((n) => n.split("/")[3]);
    return [...new Set([...Object.keys(KMS_LOCATIONS), ...inUse])];
}

export function locationHandlers(model: KmsModel): Record<string, Handler> {
    return {
        ListLocations: (r: Req) => {
            const project = requireName("project", r.name, "name");
            const p = list(
                locationsOf(model, project).map((id) => locationView(project, id)),
                { filter: r.filter, pageSize: r.pageSize, pageToken: r.pageToken },
            );
            return { locations: p.items, nextPageToken: p.nextPageToken };
        },
        GetLocation: (r: Req) => {
            const name = requireName("location", r.name, "name");
            const [, project, , id] = name.split("/");
            if (!locationsOf(model, `projects/${project}`).includes(id)) throw notFound("Location", name);
            return locationView(`projects/${project}`, id);
        },
    };
}

export function operationHandlers(store: OperationStore): Record<string, Handler> {
    return { GetOperation: (r: Req) => store.get(String(r.name ?? "")) };
}
