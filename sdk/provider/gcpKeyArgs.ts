/**
 * The inputs of `keyfabric:gcp:Key` (`GcpKey`) as the component package publishes them: `GcpKeyArgs` of
 * `sdk/gcp/key.ts` field for field, in types the schema analyzer can express. One difference: `adminRole` is the
 * custom role's name only (TypeScript may also pass the role resource, for ordering). The component checks them as it
 * does for TypeScript (`checkGcpKeyArgs`); `test/component-provider.test.ts` checks the field names at compile time.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { KeyIdentity } from "./awsKeyArgs";
import type { Algorithm, GcpImportMethod, Origin, Protection, Purpose, SeparationOfDuties } from "./enums";
import type { MaterialSource } from "./hierarchyArgs";

/** A custom IAM role for a strict key's administrators. */
export interface GcpAdminRole {
    /** The role's full name, `projects/<project>/roles/<id>`. */
    name: string;
}

/** The inputs of a GcpKey: one Cloud KMS crypto key with its IAM members. */
export interface GcpKeyArgs {
    /** An existing key ring id (`projects/P/locations/L/keyRings/R`). Without it, one is created from `project`/`location`. */
    keyRing?: pulumi.Input<string>;
    /** Project of the created key ring. */
    project?: string;
    /** Location of the created key ring, e.g. `europe-west1`. */
    location?: string;
    /** Name of the created key ring. Default: the component name. */
    keyRingName?: string;
    /** The crypto key id. Default: the component name. */
    keyName?: string;
    /** What the key is for. */
    purpose: Purpose;
    /** The key algorithm. */
    algorithm: Algorithm;
    /** Protection level. Default: `software`. */
    protection?: Protection;
    /** `byok` creates an import-only key with no initial version. Default: `cloud`. */
    origin?: Origin;
    /** Automatic rotation period in days; symmetric keys only. */
    rotationDays?: number;
    /** How long a destroyed version stays restorable, in days. Default: 30. */
    deletionWindowDays?: number;
    /** IAM members who administer the key (`roles/cloudkms.admin`, or the strict custom role). */
    admins?: pulumi.Input<string>[];
    /** IAM members who use the key (the role follows the purpose). */
    users?: pulumi.Input<string>[];
    /** Labels of the key. */
    labels?: { [key: string]: string };
    /** The logical key this instance belongs to; adds the keyfabric correlation labels. */
    identity?: KeyIdentity;
    /** Protect the key (and a created key ring) from deletion and keep it when removed. Default: true. */
    protect?: boolean;
    /** BYOK: where the provider reads the material to import as the key's first version. */
    material?: MaterialSource;
    /** BYOK: the import job's method. Default: `RSA_OAEP_4096_SHA256_AES_256`. */
    importMethod?: GcpImportMethod;
    /** `strict`: admins get a custom role without `setIamPolicy` and use; only the deployer changes the key's IAM policy. Default: `standard`. */
    separationOfDuties?: SeparationOfDuties;
    /** `strict`: the administrators' custom role to grant. Without it the key creates its own `<name>-admin-role`. */
    adminRole?: GcpAdminRole;
}
