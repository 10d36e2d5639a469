/**
 * Trust policies of roles that one AWS service assumes. With `sourceAccount` (and `sourceArn`), the
 * service may assume the role only on behalf of this account (and that resource): the confused-deputy
 * conditions, for the services that send `aws:SourceAccount` / `aws:SourceArn`.
 */
export interface ServiceTrustConditions {
    /** `aws:SourceAccount` must equal this account id. */
    sourceAccount?: string;
    /** `aws:SourceArn` must match this ARN (wildcards allowed: `ArnLike`). */
    sourceArn?: string;
}

export function serviceTrustPolicy(service: string, conditions: ServiceTrustConditions = {}): string {
    const condition: Record<string, Record<string, string>> = {};
    if (conditions.sourceAccount) condition.StringEquals = { "aws:SourceAccount": conditions.sourceAccount };
    if (conditions.sourceArn) condition.ArnLike = { "aws:SourceArn": conditions.sourceArn };
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
            },
        ],
    });
}
