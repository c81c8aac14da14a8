/**
 * The dynamic-provider shell every BYOK resource uses. Pulumi serializes the provider object into state
 * (`__provider`), so it captures nothing but two strings: the absolute path of the compiled implementation module
 * and the export to use. The implementation, the SDKs and the client factories are `require`d inside each method,
 * in the provider host process, at deploy time. No credentials, clients or material are ever captured.
 */
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";

/** Bumped when the providers' behaviour changes; a changed version shows as an update, never a replacement. */
export const PROVIDER_VERSION = "1.0.0";

/** Input values the engine does not know yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface ProviderImpl {
    check(olds: Record<string, any>, news: Record<string, any>): Promise<pulumi.dynamic.CheckResult>;
    diff(id: string, olds: Record<string, any>, news: Record<string, any>): Promise<pulumi.dynamic.DiffResult>;
    create(inputs: Record<string, any>): Promise<pulumi.dynamic.CreateResult>;
    read(id: string, props: Record<string, any>): Promise<pulumi.dynamic.ReadResult>;
    update(id: string, olds: Record<string, any>, news: Record<string, any>): Promise<pulumi.dynamic.UpdateResult>;
    delete(id: string, props: Record<string, any>): Promise<void>;
}

/**
 * A provider whose methods load `exportName` from the compiled module `lib/byok/<moduleFile>` on each call
 * (Node caches the module).
 */
export function byokProvider(moduleFile: string, exportName: string): pulumi.dynamic.ResourceProvider {
    const modulePath = path.join(__dirname, moduleFile);
    const installed = `keyfabric/lib/byok/${moduleFile}`;
    const impl = (): ProviderImpl => {
        // The keyfabric installed in the project (the host runs in the project directory), else the one that
        // serialized this provider.
        let mod: any;
        try {
            mod = require(installed);
        } catch {
            mod = require(modulePath);
        }
        return mod[exportName];
    };
    return {
        check: (olds, news) => impl().check(olds, news),
        diff: (id, olds, news) => impl().diff(id, olds, news),
        create: (inputs) => impl().create(inputs),
        read: (id, props) => impl().read(id, props),
        update: (id, olds, news) => impl().update(id, olds, news),
        delete: (id, props) => impl().delete(id, props),
    };
}
