/**
 * Shared pieces of the customer-managed KMS key policies: the account administers each key through
 * IAM (so a key never becomes unmanageable), and each key policy adds only the use it allows.
 */

/** The account's root principal: in a key policy it delegates to IAM policies of that account. */
export function accountRootPrincipal(partition: string, accountId: string): { AWS: string } {
    return { AWS: `arn:${partition}:iam::${accountId}:root` };
}

/** Administration of a key (no cryptographic use): what the account keeps whatever else the policy allows. */
export const KEY_ADMINISTRATION_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
] as const;

/** Encrypt and decrypt with a key, and create data keys. */
export const KEY_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"] as const;

/**
 * The statement every key policy starts with: the account administers the key and uses it through
 * IAM policies that name it. In a key policy, `Resource: "*"` means this key.
 */
export function accountKeyStatement(partition: string, accountId: string): Record<string, unknown> {
    return {
        Sid: "AccountAdministersAndUsesThroughIam",
        Effect: "Allow",
        Principal: accountRootPrincipal(partition, accountId),
        Action: [...KEY_ADMINISTRATION_ACTIONS, ...KEY_USE_ACTIONS],
        Resource: "*",
    };
}
