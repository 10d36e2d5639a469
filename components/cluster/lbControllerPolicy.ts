/**
 * The AWS Load Balancer Controller's IAM policy, as typed data: the official
 * `docs/install/iam_policy.json` of kubernetes-sigs/aws-load-balancer-controller at tag v3.5.0
 * (commit 11eb202c), the controller version that chart 3.5.0 installs. Statement ids were added for
 * review; actions, resources and conditions are the upstream ones. When the chart is bumped, diff
 * the upstream file between the two tags and update this constant with it.
 *
 * The controller creates, tags and deletes load balancers, target groups and security groups only
 * when they carry its `elbv2.k8s.aws/cluster` tag (the `Null` conditions); Describe calls cannot be
 * scoped and use `*`. It is an inline policy of the controller's IRSA role (inline limit 10,240
 * characters; a managed policy's 6,144 would be too small).
 */
import { PolicyDocument } from "../../lib/irsaRole";

/** Controller version whose policy this is; keep equal to the chart's appVersion (see CHART_VERSIONS). */
export const LB_CONTROLLER_POLICY_VERSION = "v3.5.0";

export const LB_CONTROLLER_IAM_POLICY: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "CreateElbServiceLinkedRole",
            Effect: "Allow",
            Action: ["iam:CreateServiceLinkedRole"],
            Resource: "*",
            Condition: {
                StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" },
            },
        },
        {
            Sid: "DescribeNetworkAndLoadBalancers",
            Effect: "Allow",
            Action: [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:GetCoipPoolUsage",
                "ec2:DescribeCoipPools",
                "ec2:GetSecurityGroupsForVpc",
                "ec2:DescribeIpamPools",
                "ec2:DescribeRouteTables",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeCapacityReservation",
            ],
            Resource: "*",
        },
        {
            Sid: "ReadCertificatesWafShield",
            Effect: "Allow",
            Action: [
                "cognito-idp:DescribeUserPoolClient",
                "acm:ListCertificates",
                "acm:DescribeCertificate",
                "iam:ListServerCertificates",
                "iam:GetServerCertificate",
                "waf-regional:GetWebACL",
                "waf-regional:GetWebACLForResource",
                "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
                "shield:GetSubscriptionState",
                "shield:DescribeProtection",
                "shield:CreateProtection",
                "shield:DeleteProtection",
            ],
            Resource: "*",
        },
        {
            Sid: "ManageSecurityGroupIngress",
            Effect: "Allow",
            Action: [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
            ],
            Resource: "*",
        },
        {
            Sid: "CreateSecurityGroup",
            Effect: "Allow",
            Action: ["ec2:CreateSecurityGroup"],
            Resource: "*",
        },
        {
            Sid: "TagSecurityGroupOnCreate",
            Effect: "Allow",
            Action: ["ec2:CreateTags"],
            Resource: "arn:aws:ec2:*:*:security-group/*",
            Condition: {
                StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" },
                Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            Sid: "TagOwnSecurityGroups",
            Effect: "Allow",
            Action: [
                "ec2:CreateTags",
                "ec2:DeleteTags",
            ],
            Resource: "arn:aws:ec2:*:*:security-group/*",
            Condition: {
                Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            Sid: "ManageOwnSecurityGroups",
            Effect: "Allow",
            Action: [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
            Resource: "*",
            Condition: {
                Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            Sid: "CreateTaggedLoadBalancersAndTargetGroups",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:CreateLoadBalancer",
                "elasticloadbalancing:CreateTargetGroup",
            ],
            Resource: "*",
            Condition: {
                Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            Sid: "ManageListenersAndRules",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
            ],
            Resource: "*",
        },
        {
            Sid: "TagOwnLoadBalancersAndTargetGroups",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            Resource: [
                "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
                "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
                "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
            ],
            Condition: {
                Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            Sid: "TagListenersAndRules",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            Resource: [
                "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
                "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
            ],
        },
        {
            Sid: "ModifyOwnLoadBalancersAndTargetGroups",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools",
            ],
            Resource: "*",
            Condition: {
                Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            Sid: "TagOnCreate",
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags"],
            Resource: [
                "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
                "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
                "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
            ],
            Condition: {
                StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
                Null: { "aws:RequestTag/elbv2.k8s.aws/cluster": "false" },
            },
        },
        {
            Sid: "RegisterTargets",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:RegisterTargets",
                "elasticloadbalancing:DeregisterTargets",
            ],
            Resource: "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
        },
        {
            Sid: "ModifyListenersAndRules",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:SetWebAcl",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
            ],
            Resource: "*",
        },
    ],
};
