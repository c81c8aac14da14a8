import { rule } from "../../policy-packs/key-management/rules/azure-containerservice-cluster-require-customer-managed-key";
import { checkResource, remediate, UNKNOWN } from "./harness";

// The engine's sentinel for this kind of unknown value: exported by the SDK's proxy module, not declared in its types.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { unknownBooleanValue } = require("@pulumi/policy/proxy") as { unknownBooleanValue: string };

const NATIVE = "azure-native:containerservice:ManagedCluster";
const CLASSIC = "azure:containerservice/kubernetesCluster:KubernetesCluster";
const DES_ID = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-aks/providers/Microsoft.Compute/diskEncryptionSets/des-aks";
const KMS_KEY = "https://acme-platform.vault.azure.net/keys/aks-etcd/0123456789abcdef0123456789abcdef";
const DISKS = "The node disks of this AKS cluster are not encrypted with a customer-managed key (no disk encryption set).";
const ETCD = "This AKS cluster does not encrypt Kubernetes secrets in etcd with a Key Vault key (KMS etcd encryption).";

const native = (extra: Record<string, unknown> = {}) => ({
    resourceName: "payments",
    resourceGroupName: "rg-aks",
    location: "westeurope",
    dnsPrefix: "payments",
    identity: { type: "SystemAssigned" },
    agentPoolProfiles: [{ name: "system", mode: "System", count: 3, vmSize: "Standard_D4s_v5", osDiskType: "Managed" }],
    diskEncryptionSetID: DES_ID,
    securityProfile: { azureKeyVaultKms: { enabled: true, keyId: KMS_KEY, keyVaultNetworkAccess: "Public" } },
    ...extra,
});
const classic = (extra: Record<string, unknown> = {}) => ({
    name: "payments",
    resourceGroupName: "rg-aks",
    location: "westeurope",
    dnsPrefix: "payments",
    identity: { type: "SystemAssigned" },
    defaultNodePool: { name: "system", nodeCount: 3, vmSize: "Standard_D4s_v5" },
    diskEncryptionSetId: DES_ID,
    keyManagementService: { keyVaultKeyId: KMS_KEY, keyVaultNetworkAccess: "Public" },
    ...extra,
});

test("an azure-native cluster with a disk encryption set and KMS etcd encryption is compliant", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native() })).toEqual({ violations: [] });
});

test("a classic cluster with a disk encryption set and a key management service is compliant", async () => {
    expect(await checkResource(rule, { type: CLASSIC, props: classic() })).toEqual({ violations: [] });
});

test("no disk encryption set is a violation", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native({ diskEncryptionSetID: undefined }) })).toEqual({ violations: [{ message: DISKS }] });
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ diskEncryptionSetId: undefined }) })).toEqual({ violations: [{ message: DISKS }] });
});

test("no KMS etcd encryption is a violation", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native({ securityProfile: undefined }) })).toEqual({ violations: [{ message: ETCD }] });
    expect(await checkResource(rule, { type: NATIVE, props: native({ securityProfile: { workloadIdentity: { enabled: true } } }) })).toEqual({ violations: [{ message: ETCD }] });
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ keyManagementService: undefined }) })).toEqual({ violations: [{ message: ETCD }] });
});

test("KMS not enabled (enabled defaults to false) is a violation, even with a key id", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native({ securityProfile: { azureKeyVaultKms: { keyId: KMS_KEY } } }) })).toEqual({ violations: [{ message: ETCD }] });
    expect(await checkResource(rule, { type: NATIVE, props: native({ securityProfile: { azureKeyVaultKms: { enabled: false, keyId: KMS_KEY } } }) })).toEqual({ violations: [{ message: ETCD }] });
});

test("neither is two violations", async () => {
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ diskEncryptionSetId: undefined, keyManagementService: undefined }) })).toEqual({ violations: [{ message: DISKS }, { message: ETCD }] });
});

describe("requireKmsEtcdEncryption", () => {
    test("declares its default", () => {
        expect(rule.configSchema?.properties.requireKmsEtcdEncryption).toMatchObject({ type: "boolean", default: true });
    });
    test("false checks only the node disks", async () => {
        expect(await checkResource(rule, { type: NATIVE, props: native({ securityProfile: undefined }) }, { requireKmsEtcdEncryption: false })).toEqual({ violations: [] });
        expect(await checkResource(rule, { type: CLASSIC, props: classic({ diskEncryptionSetId: undefined, keyManagementService: undefined }) }, { requireKmsEtcdEncryption: false })).toEqual({
            violations: [{ message: DISKS }],
        });
    });
});

test("state (outputs, the same shape) and explicit API versions are checked the same way", async () => {
    const state = { name: "payments", fqdn: "payments.hcp.westeurope.azmk8s.io", diskEncryptionSetID: DES_ID, securityProfile: { azureKeyVaultKms: { enabled: true, keyId: KMS_KEY, keyVaultNetworkAccess: "Public" } }, provisioningState: "Succeeded" };
    expect(await checkResource(rule, { type: NATIVE, props: state })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure-native:containerservice/v20250101:ManagedCluster", props: native({ diskEncryptionSetID: undefined }) })).toEqual({ violations: [{ message: DISKS }] });
});

test("not applicable to other resource types", async () => {
    expect(await checkResource(rule, { type: "azure-native:containerservice:AgentPool", props: {} })).toEqual({ violations: [] });
    expect(await checkResource(rule, { type: "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool", props: {} })).toEqual({ violations: [] });
});

test("an unknown value at preview makes the rule not run, never a false violation", async () => {
    expect(await checkResource(rule, { type: NATIVE, props: native({ diskEncryptionSetID: UNKNOWN }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: CLASSIC, props: classic({ keyManagementService: { keyVaultKeyId: UNKNOWN } }) })).toEqual({ violations: [], unknown: true });
    expect(await checkResource(rule, { type: NATIVE, props: native({ securityProfile: { azureKeyVaultKms: { enabled: unknownBooleanValue, keyId: KMS_KEY } } }) })).toEqual({ violations: [], unknown: true });
});

test("no automatic remediation: the rule cannot choose the disk encryption set or key", async () => {
    expect(await remediate(rule, { type: NATIVE, props: native({ diskEncryptionSetID: undefined }) })).toBeUndefined();
});
