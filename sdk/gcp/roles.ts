/**
 * Cloud KMS IAM roles per grant role and key kind: the one place GCP permissions come from.
 */
import { GcpKeyShape } from "../spec/capabilities";
import { GrantRole } from "../spec/constants";

export const GCP_ROLES = {
    admin: "roles/cloudkms.admin",
    encrypterDecrypter: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
    decrypter: "roles/cloudkms.cryptoKeyDecrypter",
    publicKeyViewer: "roles/cloudkms.publicKeyViewer",
    signerVerifier: "roles/cloudkms.signerVerifier",
} as const;

/**
 * The IAM roles a grant gives. Asymmetric decryption keys: decrypt plus reading the public key (encryption with
 * it happens outside Cloud KMS). MAC keys use the signer/verifier role (MacSign/MacVerify need useToSign/useToVerify).
 */
export function gcpRolesFor(role: GrantRole, shape: GcpKeyShape): string[] {
    switch (role) {
        case "admin":
            return [GCP_ROLES.admin];
        case "encryptDecrypt":
            return shape.purpose === "ENCRYPT_DECRYPT" ? [GCP_ROLES.encrypterDecrypter] : [GCP_ROLES.decrypter, GCP_ROLES.publicKeyViewer];
        case "signVerify":
        case "macGenerateVerify":
            return [GCP_ROLES.signerVerifier];
    }
}
