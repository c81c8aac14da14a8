/**
 * The identifiers of a logical key in each cloud: what `KeyHierarchy.keys` holds. In a file of their own, without
 * imports, so that the component package's schema analyzer (sdk/provider) reads them without bringing the cloud
 * packages' type declarations (some 60 MB) into its program.
 */

/** An AWS KMS key's identifiers. */
export interface AwsKeyIds {
    /** The key's ARN. */
    keyArn: string;
    /** The key's id. */
    keyId: string;
    /** The ARNs of its aliases (`<hierarchy>/<domain>/<key>` first). */
    aliasArns: string[];
    /** The ARN of each replica, by region. */
    replicaArns: { [region: string]: string };
}

/** A Cloud KMS crypto key's identifiers. */
export interface GcpKeyIds {
    /** The crypto key's id (`projects/P/locations/L/keyRings/R/cryptoKeys/K`). */
    cryptoKeyId: string;
    /** Its key ring's id. */
    keyRingId: string;
}

/** An Azure key's identifiers. */
export interface AzureKeyIds {
    /** ARM id (Key Vault) or versionless key id (Managed HSM). */
    keyId: string;
    /** Versionless key URI. */
    keyUri: string;
}

/** Identifiers of one logical key in every cloud. */
export interface LogicalKeyIds {
    /** The AWS instance. */
    aws?: AwsKeyIds;
    /** The GCP instance in `clouds.gcp.location`. */
    gcp?: GcpKeyIds;
    /** The Azure instance in `clouds.azure.location`. */
    azure?: AzureKeyIds;
    /** GCP instances in the key's extra locations, by location. */
    gcpLocations?: { [location: string]: GcpKeyIds };
    /** Azure instances in the key's extra locations, by location. */
    azureLocations?: { [location: string]: AzureKeyIds };
}
