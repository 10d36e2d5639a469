/**
 * What an AWS service (a service principal such as `cloudwatch.amazonaws.com`) may do: assume a role,
 * or act on one resource. With `sourceAccount` (and `sourceArn`), only on behalf of this account (and
 * that resource): the confused-deputy conditions, for the services that send `aws:SourceAccount` /
 * `aws:SourceArn`.
 */
export interface SourceConditions {
    /** `aws:SourceAccount` must equal this account id. */
    sourceAccount?: string;
    /** `aws:SourceArn` must match this ARN (wildcards allowed: `ArnLike`). */
    sourceArn?: string;
}

/** The `Condition` block of `SourceConditions`, or undefined when there is none. */
export function sourceCondition(conditions: SourceConditions): Record<string, Record<string, string>> | undefined {
    const condition: Record<string, Record<string, string>> = {};
    if (conditions.sourceAccount) condition.StringEquals = { "aws:SourceAccount": conditions.sourceAccount };
    if (conditions.sourceArn) condition.ArnLike = { "aws:SourceArn": conditions.sourceArn };
    return Object.keys(condition).length > 0 ? condition : undefined;
}

/** An Allow statement for one service principal on `resource`, under the source conditions. */
export function serviceStatement(sid: string, service: string, action: string | string[], resource: string, conditions: SourceConditions = {}): Record<string, unknown> {
    const condition = sourceCondition(conditions);
    return { Sid: sid, Effect: "Allow", Principal: { Service: service }, Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) };
}

/** A role's trust policy (JSON): one principal may call one `sts:AssumeRole*` action, under `condition`. */
export function trustPolicy(principal: Record<string, string>, action: string, condition?: Record<string, Record<string, string>>): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: principal, Action: action, ...(condition ? { Condition: condition } : {}) }],
    });
}

/** Trust policy of a role that only `service` may assume. */
export function serviceTrustPolicy(service: string, conditions: SourceConditions = {}): string {
    return trustPolicy({ Service: service }, "sts:AssumeRole", sourceCondition(conditions));
}
