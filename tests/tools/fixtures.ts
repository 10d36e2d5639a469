import type { RecordedResource } from "../../offline/harness";

/** A recorded custom resource for synthetic runs; `flags` overrides any field (parent, remote, dependencies…). */
export function recorded(type: string, name: string, inputs: Record<string, any> = {}, flags: Partial<RecordedResource> = {}): RecordedResource {
    return {
        urn: `urn:pulumi:s::p::${type}::${name}`,
        type,
        name,
        providers: {},
        custom: true,
        remote: false,
        inputs,
        secretInputs: [],
        state: {},
        protect: false,
        retainOnDelete: false,
        deleteBeforeReplace: false,
        ignoreChanges: [],
        dependencies: [],
        additionalSecretOutputs: [],
        aliases: [],
        ...flags,
    };
}
