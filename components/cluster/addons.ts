/**
 * The IAM side of the cluster add-ons: cluster-autoscaler's policy, scoped to this cluster's node
 * groups and Auto Scaling groups. `ClusterServices` (clusterServices.ts) gives it to the autoscaler's
 * IRSA role; the chart pins and Helm values are in k8s/addonValues.ts.
 */
import { PolicyDocument } from "../../lib/irsaRole";

/** The ASG tag that marks this cluster's node groups (components/cluster/cluster.ts `autoscalerTags`). */
export function autoscalerOwnershipTag(clusterName: string): string {
    return `k8s.io/cluster-autoscaler/${clusterName}`;
}

/**
 * cluster-autoscaler's policy. Describe calls cannot be scoped to resources and use `*`; the two
 * calls that change capacity apply only to Auto Scaling groups tagged as owned by this cluster, so
 * the role cannot resize another cluster's (or any other) group. `eks:DescribeNodegroup` is limited
 * to this cluster's node groups.
 */
export function clusterAutoscalerPolicy(clusterName: string, nodegroupArnPrefix: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DescribeScalingInputs",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                Resource: "*",
            },
            {
                Sid: "DescribeOwnNodegroups",
                Effect: "Allow",
                Action: ["eks:DescribeNodegroup"],
                Resource: `${nodegroupArnPrefix}/${clusterName}/*`,
            },
            {
                Sid: "ScaleOwnAutoScalingGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: { StringEquals: { [`aws:ResourceTag/${autoscalerOwnershipTag(clusterName)}`]: "owned" } },
            },
        ],
    };
}
