/**
 * No secret in plain Kubernetes fields: a container env `value`, or a ConfigMap key,
 * whose name looks like a secret's is stored in plain text in state, in etcd unencrypted and in every
 * `kubectl get -o yaml`. Secrets go through a Secret and `secretKeyRef` (docs/services.md).
 */
import { asArray, Res, resourcePolicy } from "./framework";
import { podSpecOf } from "./podSecurity";

/**
 * Same as lib/serviceContract.ts `SECRET_NAME_PATTERN` and `isSecretLikeEnvName` (the pack does not
 * import the program; a test holds them equal): names of an ARN or a file path are not secrets.
 */
export const SECRET_NAME_PATTERN = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTHORIZATION|COOKIE/i;
export const looksSecret = (name: string) => SECRET_NAME_PATTERN.test(name) && !/_(ARN|FILE)$/i.test(name);

const kindOf = (type: string) => type.split(":")[2];

/** Plain env values with a secret-looking name, in every container and init container of a pod template. */
export function plaintextSecretEnv(r: Res): string[] {
    const kind = kindOf(r.type);
    if (kind === "ConfigMap") {
        return Object.keys({ ...(r.props.data ?? {}), ...(r.props.binaryData ?? {}) })
            .filter(looksSecret)
            .map((k) => `ConfigMap ${r.props.metadata?.name ?? r.name} holds ${k} in plain text.`);
    }
    const pod = podSpecOf(kind, r.props);
    if (!pod) {
        return [];
    }
    return [...asArray(pod.spec.initContainers), ...asArray(pod.spec.containers)].flatMap((c: any) =>
        asArray(c.env)
            .filter((e: any) => e?.value !== undefined && e.valueFrom === undefined && looksSecret(String(e.name)))
            .map((e: any) => `${kind} ${r.props.metadata?.name ?? r.name} container ${c.name} sets ${e.name} as a plain value.`),
    );
}

export const secretPolicies = [
    resourcePolicy(
        {
            name: "kubernetes-no-plaintext-secret-env",
            description: "No container env value or ConfigMap key whose name looks like a secret (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, CREDENTIALS, ...) is set in plain text",
            severity: "high",
            judge: "kubernetes",
            appliesTo: ["kubernetes:*"],
            remediation: "put the value in services[].secrets (a Pulumi secret or a Secrets Manager ARN): the program delivers it through a Kubernetes Secret and secretKeyRef (docs/services.md).",
        },
        plaintextSecretEnv,
    ),
];
