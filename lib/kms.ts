/**
 * The program's customer-managed KMS keys: one function creates each key (rotating, deletion window
 * from lib/stateful.ts) with its alias, and the shared pieces of their policies: the account administers each key
 * through IAM (so a key never becomes unmanageable), and each key policy adds only the use it allows.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The account's root principal: in a key policy it delegates to IAM policies of that account. */
export function accountRootPrincipal(partition: string, accountId: string): { AWS: string } {
    return { AWS: `arn:${partition}:iam::${accountId}:root` };
}

/**
 * Administration of a key (no cryptographic use): what the account keeps whatever else the policy allows.
 * Listed one by one rather than AWS's default `kms:Create*`, `kms:Get*`, …: a wildcard also grants every
 * action AWS adds later under that prefix. These are the key-scoped actions of the KMS API reference
 * behind those prefixes, minus those for imported, asymmetric or multi-Region keys (none here).
 * No `kms:CreateGrant`: a grant carries no condition of the key policy, so any principal of the
 * account allowed CreateGrant by IAM could grant itself Decrypt and bypass a `kms:ViaService`
 * restriction. Keys that need grants add `grantsForAwsResourcesStatement` (or, for EKS, the
 * documented exception `createClusterGrantStatement`).
 */
export const KEY_ADMINISTRATION_ACTIONS = [
    "kms:CreateAlias",
    "kms:DescribeKey",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
    "kms:RevokeGrant",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:DeleteAlias",
    "kms:RotateKeyOnDemand",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
] as const;

/** Encrypt and decrypt with a key, and create data keys (`kms:ReEncrypt*` and `kms:GenerateDataKey*` spelled out). */
export const KEY_USE_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
] as const;

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

/** The actions an AWS service creates and manages grants with on a principal's behalf. */
export const GRANT_ACTIONS = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"] as const;

/** The condition under which a key policy may allow `kms:CreateGrant`: an integrated AWS service asks for it. */
export const GRANT_FOR_AWS_RESOURCE_CONDITION = { Bool: { "kms:GrantIsForAWSResource": "true" } } as const;

/**
 * Grants for AWS resources only: principals of the account (through IAM) may create, list and revoke
 * grants on this key only when an integrated AWS service (`viaServices`, e.g. ECR, RDS) sends the
 * request for them, never directly. That is how DocumentDB, ElastiCache and ECR use a customer key.
 */
export function grantsForAwsResourcesStatement(partition: string, accountId: string, viaServices: string[]): Record<string, unknown> {
    return {
        Sid: "GrantsOnlyForAwsResources",
        Effect: "Allow",
        Principal: accountRootPrincipal(partition, accountId),
        Action: [...GRANT_ACTIONS],
        Resource: "*",
        Condition: {
            ...GRANT_FOR_AWS_RESOURCE_CONDITION,
            StringEquals: { "kms:CallerAccount": accountId, "kms:ViaService": viaServices },
        },
    };
}

/** Sid of the one statement that allows `kms:CreateGrant` without `kms:GrantIsForAWSResource` (the policy pack recognises it). */
export const CREATE_CLUSTER_GRANT_SID = "DeployerCreatesEksClusterGrant";

/**
 * The documented exception, on the EKS Secrets key only: EKS CreateCluster with envelope encryption
 * needs `kms:CreateGrant` and `kms:DescribeKey` for the principal calling CreateCluster, and EKS does not
 * support `kms:GrantIsForAWSResource` there (EKS User Guide, "Encrypt Kubernetes secrets with KMS on
 * existing clusters"). So it goes to the deploying identity only (`deployerArn`, the IAM role or user
 * behind the session running `pulumi up`), never to the account root or anyone else.
 */
export function createClusterGrantStatement(deployerArn: string): Record<string, unknown> {
    return {
        Sid: CREATE_CLUSTER_GRANT_SID,
        Effect: "Allow",
        Principal: { AWS: deployerArn },
        Action: ["kms:CreateGrant", "kms:DescribeKey"],
        Resource: "*",
    };
}

export interface CustomerManagedKeyArgs {
    description: pulumi.Input<string>;
    /** The key policy (JSON), starting with `accountKeyStatement`. */
    policy: pulumi.Input<string>;
    /** Alias name without `alias/` (a physical name). */
    aliasName: string;
    /** Pending window when the key is deleted: `stateful(protect).kmsDeletionWindowInDays` (lib/stateful.ts). */
    deletionWindowInDays: number;
}

/**
 * A rotating customer-managed key named `name` and its alias `<name>-alias`. A function, not a
 * component: both stay children of the caller under these logical names, so using it changes no URN.
 * `opts.key` carries the caller's protection of the key (losing a key loses what it encrypts).
 */
export function customerManagedKey(name: string, args: CustomerManagedKeyArgs, opts: { key: pulumi.CustomResourceOptions; alias: pulumi.CustomResourceOptions }): aws.kms.Key {
    const key = new aws.kms.Key(name, { description: args.description, enableKeyRotation: true, deletionWindowInDays: args.deletionWindowInDays, policy: args.policy }, opts.key);
    new aws.kms.Alias(`${name}-alias`, { name: `alias/${args.aliasName}`, targetKeyId: key.keyId }, opts.alias);
    return key;
}
