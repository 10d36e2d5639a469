/** Every FloDrama policy, in report order. */
import { acmPolicies, cloudfrontPolicies } from "./aws/cloudfront";
import { dataPolicies } from "./aws/data";
import { eksPolicies } from "./aws/eks";
import { iamPolicies } from "./aws/iam";
import { kmsPolicies } from "./aws/kms";
import { networkPolicies } from "./aws/network";
import { s3Policies } from "./aws/s3";
import { servicePolicies } from "./aws/services";
import { FlodramaPolicy } from "./framework";
import { kubernetesPolicies } from "./kubernetes";
import { secretPolicies } from "./kubernetesSecrets";
import { programPolicies } from "./program";
import { surfacePolicies } from "./surface";

export const ALL_POLICIES: FlodramaPolicy[] = [
    ...cloudfrontPolicies,
    ...acmPolicies,
    ...s3Policies,
    ...networkPolicies,
    ...eksPolicies,
    ...dataPolicies,
    ...iamPolicies,
    ...kmsPolicies,
    ...servicePolicies,
    ...kubernetesPolicies,
    ...secretPolicies,
    ...programPolicies,
    ...surfacePolicies,
];
