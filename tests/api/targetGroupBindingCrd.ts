/**
 * The `spec` schema of `targetgroupbindings.elbv2.k8s.aws` v1beta1, transcribed from the AWS Load
 * Balancer Controller's CRD (config/crd/bases/elbv2.k8s.aws_targetgroupbindings.yaml, v2.x), and a
 * small checker for the OpenAPI subset it uses. kubernetes-models ships no model for this CRD, so the
 * tests check bindings against this. Unlike the API server, the checker rejects unknown fields: the
 * server would prune them silently and the binding would lose a setting without an error.
 */

type Schema =
    | { type: "object"; properties?: Record<string, Schema>; required?: string[]; additionalProperties?: Schema }
    | { type: "array"; items: Schema }
    | { type: "string"; enum?: string[] }
    | { type: "boolean" }
    | { type: "integer" }
    | { intOrString: true };

const peer: Schema = {
    type: "object",
    properties: {
        ipBlock: { type: "object", properties: { cidr: { type: "string" } }, required: ["cidr"] },
        securityGroup: { type: "object", properties: { groupID: { type: "string" } }, required: ["groupID"] },
    },
};

export const TARGET_GROUP_BINDING_SPEC_SCHEMA: Schema = {
    type: "object",
    required: ["serviceRef"],
    properties: {
        assumeRoleExternalId: { type: "string" },
        iamRoleArnToAssume: { type: "string" },
        ipAddressType: { type: "string", enum: ["ipv4", "ipv6"] },
        multiClusterTargetGroup: { type: "boolean" },
        networking: {
            type: "object",
            properties: {
                ingress: {
                    type: "array",
                    items: {
                        type: "object",
                        required: ["from", "ports"],
                        properties: {
                            from: { type: "array", items: peer },
                            ports: {
                                type: "array",
                                items: { type: "object", properties: { port: { intOrString: true }, protocol: { type: "string", enum: ["TCP", "UDP"] } } },
                            },
                        },
                    },
                },
            },
        },
        nodeSelector: {
            type: "object",
            properties: {
                matchExpressions: {
                    type: "array",
                    items: {
                        type: "object",
                        required: ["key", "operator"],
                        properties: { key: { type: "string" }, operator: { type: "string" }, values: { type: "array", items: { type: "string" } } },
                    },
                },
                matchLabels: { type: "object", additionalProperties: { type: "string" } },
            },
        },
        serviceRef: { type: "object", required: ["name", "port"], properties: { name: { type: "string" }, port: { intOrString: true } } },
        targetGroupARN: { type: "string" },
        targetGroupName: { type: "string" },
        targetGroupProtocol: { type: "string", enum: ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC"] },
        targetType: { type: "string", enum: ["instance", "ip"] },
        vpcID: { type: "string" },
    },
};

/** Errors of `value` against `schema`, each with its JSON path. */
export function checkSchema(value: unknown, schema: Schema, at = "spec"): string[] {
    if ("intOrString" in schema) {
        return Number.isInteger(value) || (typeof value === "string" && value.length > 0) ? [] : [`${at}: an integer or a string, got ${JSON.stringify(value)}`];
    }
    switch (schema.type) {
        case "string":
            if (typeof value !== "string") {
                return [`${at}: a string, got ${JSON.stringify(value)}`];
            }
            return schema.enum && !schema.enum.includes(value) ? [`${at}: one of ${schema.enum.join(", ")}, got ${value}`] : [];
        case "boolean":
            return typeof value === "boolean" ? [] : [`${at}: a boolean, got ${JSON.stringify(value)}`];
        case "integer":
            return Number.isInteger(value) ? [] : [`${at}: an integer, got ${JSON.stringify(value)}`];
        case "array":
            return Array.isArray(value) ? value.flatMap((v, i) => checkSchema(v, schema.items, `${at}[${i}]`)) : [`${at}: an array, got ${JSON.stringify(value)}`];
        case "object": {
            if (!value || typeof value !== "object" || Array.isArray(value)) {
                return [`${at}: an object, got ${JSON.stringify(value)}`];
            }
            const obj = value as Record<string, unknown>;
            const errors = (schema.required ?? []).filter((k) => obj[k] === undefined).map((k) => `${at}.${k}: required`);
            for (const [k, v] of Object.entries(obj)) {
                const sub = schema.properties?.[k] ?? schema.additionalProperties;
                errors.push(...(sub ? checkSchema(v, sub, `${at}.${k}`) : [`${at}.${k}: unknown field (the API server would prune it)`]));
            }
            return errors;
        }
    }
}

/**
 * Checks a whole TargetGroupBinding object: apiVersion and kind, a namespaced name, the spec schema,
 * and the controller's own rules (a target group by ARN or name; a networking peer is either an
 * ipBlock or a securityGroup; `instance` targets need numeric ports).
 */
export function validateTargetGroupBinding(obj: Record<string, any>): string[] {
    const errors: string[] = [];
    if (obj.apiVersion !== "elbv2.k8s.aws/v1beta1") {
        errors.push(`apiVersion: elbv2.k8s.aws/v1beta1, got ${obj.apiVersion}`);
    }
    if (obj.kind !== "TargetGroupBinding") {
        errors.push(`kind: TargetGroupBinding, got ${obj.kind}`);
    }
    if (typeof obj.metadata?.name !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(obj.metadata.name) || obj.metadata.name.length > 253) {
        errors.push(`metadata.name: a DNS-1123 name, got ${obj.metadata?.name}`);
    }
    if (typeof obj.metadata?.namespace !== "string" || obj.metadata.namespace.length === 0) {
        errors.push("metadata.namespace: required (the resource is namespaced)");
    }
    const spec = obj.spec;
    errors.push(...checkSchema(spec, TARGET_GROUP_BINDING_SPEC_SCHEMA));
    if (spec && typeof spec === "object") {
        if (!spec.targetGroupARN && !spec.targetGroupName) {
            errors.push("spec: targetGroupARN or targetGroupName is required");
        }
        for (const [i, rule] of (spec.networking?.ingress ?? []).entries()) {
            if (Array.isArray(rule.from) && rule.from.length === 0) {
                errors.push(`spec.networking.ingress[${i}].from: at least one peer`);
            }
            for (const [j, p] of (rule.from ?? []).entries()) {
                if (p && typeof p === "object" && ["ipBlock", "securityGroup"].filter((k) => k in p).length !== 1) {
                    errors.push(`spec.networking.ingress[${i}].from[${j}]: exactly one of ipBlock or securityGroup`);
                }
            }
            if (spec.targetType === "instance") {
                for (const [j, p] of (rule.ports ?? []).entries()) {
                    if (p.port !== undefined && !Number.isInteger(p.port)) {
                        errors.push(`spec.networking.ingress[${i}].ports[${j}].port: numeric for instance targets`);
                    }
                }
            }
        }
    }
    return errors;
}
