/**
 * Validates Kubernetes objects against the real Kubernetes OpenAPI schema, offline, with
 * `kubernetes-models` (4.x, CommonJS). It catches wrong types (a string where an integer belongs),
 * missing required fields and malformed names; it does not reject unknown fields.
 */
import { RecordedResource } from "./harness";

/** `apps/v1` + `Deployment` → the model class, or undefined for kinds the package does not ship (CRDs). */
function modelFor(apiVersion: string, kind: string): (new (o: unknown) => { validate(): void }) | undefined {
    const modulePath = `kubernetes-models/${apiVersion}/${kind}`;
    try {
        const mod = require(modulePath);
        return mod[kind];
    } catch {
        return undefined;
    }
}

/** The object a recorded `kubernetes:*` resource would send to the API server. */
export function manifestOf(r: RecordedResource): Record<string, any> {
    const [, groupVersion, kind] = r.type.split(":");
    const apiVersion = groupVersion.replace(/^core\//, "");
    const { apiVersion: _a, kind: _k, ...rest } = r.inputs;
    return { apiVersion: r.inputs.apiVersion ?? apiVersion, kind: r.inputs.kind ?? kind, ...rest };
}

/**
 * Validates one object. Returns the schema errors (empty when valid); throws when the kind has no
 * model, unless `allowUnknownKinds` names it (custom resources such as TargetGroupBinding).
 */
export function validateManifest(obj: Record<string, any>, allowUnknownKinds: string[] = []): string[] {
    const Model = modelFor(obj.apiVersion, obj.kind);
    if (!Model) {
        if (allowUnknownKinds.includes(obj.kind)) {
            return [];
        }
        throw new Error(`no Kubernetes schema for ${obj.apiVersion} ${obj.kind}`);
    }
    // Pulumi fills metadata.name (auto-naming) when the program leaves it out.
    const withName = { ...obj, metadata: { name: "auto-named", ...(obj.metadata ?? {}) } };
    try {
        new Model(withName).validate();
        return [];
    } catch (e) {
        return [(e as Error).message];
    }
}
