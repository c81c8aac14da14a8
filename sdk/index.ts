/**
 * keyfabric: multi-cloud key management for Pulumi.
 */
export { KeyHierarchy, KeyDomain, hierarchyFromConfig } from "./hierarchy";
export type { KeyHierarchyOptions, LogicalKey, LogicalKeyIds, AwsKeyIds, GcpKeyIds, AzureKeyIds } from "./hierarchy";
export { AwsKey, checkAwsKeyArgs } from "./aws/key";
export type { AwsKeyArgs } from "./aws/key";
export { GcpKey, checkGcpKeyArgs } from "./gcp/key";
export type { GcpKeyArgs } from "./gcp/key";
export { AzureKey, checkAzureKeyArgs } from "./azure/key";
export type { AzureKeyArgs, AzureVaultSettings, AzureManagedHsmRef } from "./azure/key";
export type { AzureVaultPrivateEndpoint } from "./azure/network";
export { KeyComponent } from "./keyComponent";
export type { GrantOptions } from "./keyComponent";
export { keyPolicyDocument } from "./aws/policy";
export * as awsActions from "./aws/actions";
export { GCP_ROLES } from "./gcp/roles";
export { KEY_VAULT_ROLES, MANAGED_HSM_ROLES } from "./azure/roles";
export { validateHierarchy } from "./schema/validate";
export type { ResolvedHierarchy, ResolvedDomain, ResolvedKey } from "./schema/validate";
export { hierarchySchema } from "./schema/schema";
export type { HierarchySpec, DomainSpec, KeySpec, PerCloud } from "./schema/schema";
export { KeyfabricValidationError, formatIssue } from "./schema/errors";
export { KeyfabricMissingPeerError, CLOUD_PEERS } from "./peers";
export type { CloudPeer } from "./peers";
export type { ValidationIssue } from "./schema/errors";
export { awsKeyShape, gcpKeyShape, azureKeyShape, supportsAutoRotation, PURPOSES_FOR_ALGORITHM } from "./schema/capabilities";
export * from "./schema/constants";
