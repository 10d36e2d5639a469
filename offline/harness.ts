/**
 * Runs the real program (`index.ts`) offline under Pulumi mocks, with the config of a real
 * `Pulumi.<stack>.yaml`, and records every resource it registers: type, logical name, URN, inputs,
 * parent, provider and resource options. Used by the tests and by `npm run plan`.
 *
 * The traps of offline runs (docs/decisions.md#offline-testing) are handled here once: the program is loaded only after
 * `setMocks` and with the project's modules evicted from `require.cache`, the mock monitor itself is
 * wrapped (so the recorder sees parents, providers and `protect`), duplicate URNs and empty runs
 * fail, and Outputs are read through the SDK's rejecting promise rather than `apply`.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { createMocks, MockContext, RecordedInvoke, TEST_SECRET } from "./mocks";
import { parseStackYaml } from "./stackFile";

export { parseStackYaml };

export const PROJECT_DIR = path.resolve(__dirname, "..");

/** A resource as the program registered it. */
export interface RecordedResource {
    urn: string;
    type: string;
    /** Logical name. */
    name: string;
    /** URN of the parent resource, if any. */
    parent?: string;
    /** URN of the explicit provider, if any. */
    provider?: string;
    /**
     * Providers handed to a component by package (`aws` → provider URN). For a remote component
     * (awsx VPC, eks Cluster) this map is what its invisible children use: an empty map means they
     * run on the default provider.
     */
    providers: Record<string, string>;
    custom: boolean;
    /** A multi-language component (awsx VPC, eks Cluster): its children are invisible offline. */
    remote: boolean;
    /** Inputs with secrets unwrapped. */
    inputs: Record<string, any>;
    /** Top-level input keys whose value was a secret. */
    secretInputs: string[];
    /** State the mocks returned (inputs plus computed outputs). */
    state: Record<string, any>;
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    dependencies: string[];
    additionalSecretOutputs: string[];
    /** The `aliases` option as the SDK sends it (the mock monitor supports alias specs). */
    aliases: RecordedAlias[];
}

/**
 * One alias of a resource: an old URN, or a spec whose empty fields mean "same as now" (name, type,
 * stack, project); `parentUrn` is the old parent, `noParent` an old top-level resource, neither the
 * current parent.
 */
export type RecordedAlias = { urn: string } | { name?: string; type?: string; stack?: string; project?: string; parentUrn?: string; noParent: boolean };

/** Reads the alias list of a RegisterResourceRequest (pulumi.alias.Alias protos). */
function aliasesOf(req: any): RecordedAlias[] {
    return (req.getAliasesList?.() ?? []).map((a: any): RecordedAlias => {
        if (a.hasUrn?.() || (a.getUrn?.() ?? "") !== "") {
            return { urn: a.getUrn() };
        }
        const s = a.getSpec();
        return {
            name: s.getName() || undefined,
            type: s.getType() || undefined,
            stack: s.getStack() || undefined,
            project: s.getProject() || undefined,
            parentUrn: s.getParenturn() || undefined,
            noParent: s.getNoparent(),
        };
    });
}

/** The result of one offline run of the program. */
export class ProgramRun {
    constructor(
        readonly stack: string,
        readonly resources: RecordedResource[],
        /** Stack outputs (the program's exports), resolved. */
        readonly outputs: Record<string, unknown>,
        /** Names of stack outputs that are secret. */
        readonly secretOutputs: string[],
        readonly config: Record<string, string>,
        /** Every invoke (data source) the program made, with the provider it went through. */
        readonly invokes: RecordedInvoke[] = [],
    ) {}

    /** Every resource of a type token, e.g. `aws:s3/bucket:Bucket`. */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The only resource of a type (optionally whose logical name matches); fails otherwise. */
    one(type: string, name?: string | RegExp): RecordedResource {
        const found = this.ofType(type).filter((r) => name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name)));
        if (found.length !== 1) {
            throw new Error(`expected exactly one ${type}${name ? ` named ${name}` : ""} in stack ${this.stack}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
        }
        return found[0];
    }

    byUrn(urn: string): RecordedResource | undefined {
        return this.resources.find((r) => r.urn === urn);
    }

    /** Every resource below `urn` in the parent tree. */
    descendants(urn: string): RecordedResource[] {
        const out: RecordedResource[] = [];
        const walk = (u: string) => {
            for (const r of this.resources.filter((x) => x.parent === u)) {
                out.push(r);
                walk(r.urn);
            }
        };
        walk(urn);
        return out;
    }

    /** The provider resource a resource was registered with. */
    providerOf(r: RecordedResource): RecordedResource | undefined {
        return r.provider ? this.byUrn(r.provider) : undefined;
    }

    /** Kubernetes objects of a kind (`apps/v1/Deployment` type tokens end in the kind). */
    kubernetes(kind?: string): RecordedResource[] {
        return this.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm") && (kind === undefined || r.type.endsWith(`:${kind}`)));
    }
}

export interface RunOptions {
    /** Changes to the stack's `flodrama:*` values (already parsed YAML), for test stacks derived from a real one. */
    override?: (values: Record<string, any>) => void;
    /** Run as a preview (unknown outputs stay unknown). Default false. */
    preview?: boolean;
}

/** Reads `Pulumi.<stack>.yaml` and returns its config as Pulumi hands it to a program: every value a string. */
export function readStackConfig(stack: string, override?: RunOptions["override"]): { config: Record<string, string>; secretKeys: string[] } {
    const file = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file ${file}`);
    }
    const doc = (parseStackYaml(path.basename(file), fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    let values: Record<string, any> = { ...(doc.config ?? {}) };
    if (override) {
        // The override sees `flodrama:*` keys without the prefix and other namespaces' keys with theirs.
        const edited: Record<string, any> = {};
        for (const [k, v] of Object.entries(values)) {
            edited[k.startsWith("flodrama:") ? k.slice("flodrama:".length) : k] = structuredClone(v);
        }
        override(edited);
        values = {};
        for (const [k, v] of Object.entries(edited)) {
            if (v !== undefined) {
                values[k.includes(":") ? k : `flodrama:${k}`] = v;
            }
        }
    }
    const secretKeys: string[] = [];
    for (const [k, v] of Object.entries(values)) {
        if (v && typeof v === "object" && !Array.isArray(v) && "secure" in v) {
            // Encrypted values cannot be decrypted offline; tests see a stand-in.
            values[k] = TEST_SECRET;
            secretKeys.push(k);
        }
    }
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
        config[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return { config, secretKeys };
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

function unwrapSecrets(v: any): any {
    if (Array.isArray(v)) {
        return v.map(unwrapSecrets);
    }
    if (v && typeof v === "object" && v.constructor === Object) {
        if (v[SIG_KEY] === SECRET_SIG) {
            return unwrapSecrets(v.value);
        }
        const out: Record<string, any> = {};
        for (const [k, x] of Object.entries(v)) {
            out[k] = unwrapSecrets(x);
        }
        return out;
    }
    return v;
}

function isSecretValue(v: any): boolean {
    return !!v && typeof v === "object" && v[SIG_KEY] === SECRET_SIG;
}

/** Evicts the program's own modules (never node_modules) so the next `require` runs it afresh. */
function evictProgramModules(): void {
    for (const id of Object.keys(require.cache)) {
        if (id.startsWith(PROJECT_DIR) && !id.includes(`${path.sep}node_modules${path.sep}`) && !id.includes(`${path.sep}offline${path.sep}`)) {
            delete require.cache[id];
        }
    }
}

/** Reads an Output (or Promise or plain value); rejects when it rejects, unlike an `apply`-based helper. */
export async function valueOf<T>(v: pulumi.Input<T> | undefined): Promise<T> {
    if (pulumi.Output.isInstance(v)) {
        return (await (v as any).promise()) as T;
    }
    return (await v) as T;
}

/** Whether an Output is secret. */
export async function isSecret(v: unknown): Promise<boolean> {
    return pulumi.Output.isInstance(v) ? await (v as any).isSecret : false;
}

/** Recording state shared with the wrapped mock monitor. */
interface Recorder {
    resources: RecordedResource[];
    regions: Map<string, string>;
    invokes: RecordedInvoke[];
}

function wrapMonitor(recorder: Recorder): void {
    // The mock monitor drops the parent, provider and options before calling `newResource`; record them here.
    const settings = require("@pulumi/pulumi/runtime/settings");
    const monitor = settings.getMonitor();
    const original = monitor.registerResource.bind(monitor);
    const rpc = require("@pulumi/pulumi/runtime/rpc");
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
        original(req, (err: any, resp: any) => {
            if (!err && resp) {
                const raw = rpc.deserializeProperties(req.getObject());
                const urn = resp.getUrn();
                const providerRef: string = req.getProvider();
                const refToUrn = (ref: string) => ref.split("::").slice(0, -1).join("::");
                const providerUrn = providerRef ? refToUrn(providerRef) : undefined;
                const providers: Record<string, string> = {};
                req.getProvidersMap().forEach((ref: string, pkg: string) => {
                    providers[pkg] = refToUrn(ref);
                });
                const type: string = req.getType();
                const inputs = unwrapSecrets(raw);
                if (type.startsWith("pulumi:providers:aws") && typeof inputs.region === "string") {
                    recorder.regions.set(urn, inputs.region);
                }
                recorder.resources.push({
                    urn,
                    type,
                    name: req.getName(),
                    parent: req.getParent() || undefined,
                    provider: providerUrn || undefined,
                    providers,
                    custom: req.getCustom(),
                    remote: req.getRemote(),
                    inputs,
                    secretInputs: Object.keys(raw).filter((k) => isSecretValue(raw[k])),
                    state: unwrapSecrets(rpc.deserializeProperties(resp.getObject())),
                    protect: req.hasProtect() ? req.getProtect() : false,
                    retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : false,
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    ignoreChanges: req.getIgnorechangesList(),
                    dependencies: req.getDependenciesList(),
                    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                    aliases: aliasesOf(req),
                });
            }
            callback(err, resp);
        });
    };
}

async function drain(recorder: Recorder): Promise<void> {
    const settings = require("@pulumi/pulumi/runtime/settings");
    // Applies register more resources after outputs resolve: wait until the queue drains and the count holds.
    let last = -1;
    for (let i = 0; i < 200 && recorder.resources.length !== last; i++) {
        last = recorder.resources.length;
        await settings.waitForRPCs();
        await new Promise((r) => setTimeout(r, 2));
    }
}

/**
 * Sets the mocks and config for `stack`, runs `body`, waits for every registration and returns what
 * was recorded. `runProgram` uses it with `index.ts`; component tests can use it with a single component.
 */
export async function simulate(
    stack: string,
    body: () => unknown,
    opts: RunOptions = {},
): Promise<{ resources: RecordedResource[]; result: unknown; config: Record<string, string>; invokes: RecordedInvoke[] }> {
    const { config, secretKeys } = readStackConfig(stack, opts.override);
    const net = JSON.parse(config["flodrama:network"] ?? "{}");
    const ctx: MockContext = { region: config["aws:region"] ?? "eu-west-3", azCount: typeof net.azCount === "number" ? net.azCount : 2 };
    const recorder: Recorder = { resources: [], regions: new Map(), invokes: [] };
    await pulumi.runtime.setMocks(createMocks(ctx, recorder.regions, recorder.invokes), "flodrama", stack, opts.preview ?? false);
    pulumi.runtime.setAllConfig(config, secretKeys);
    wrapMonitor(recorder);
    evictProgramModules();
    // Pulumi records `new Error().stack` for every resource and Output: formatting those frames is a
    // large part of a run's CPU. The program's own errors carry their story in the message; set
    // FLODRAMA_STACK_TRACES=1 to keep the frames while debugging.
    const traceLimit = Error.stackTraceLimit;
    if (process.env.FLODRAMA_STACK_TRACES !== "1") {
        Error.stackTraceLimit = 0;
    }
    let result: unknown;
    try {
        result = await body();
        await drain(recorder);
    } finally {
        Error.stackTraceLimit = traceLimit;
    }
    const seen = new Map<string, number>();
    for (const r of recorder.resources) {
        seen.set(r.urn, (seen.get(r.urn) ?? 0) + 1);
    }
    const dupes = [...seen].filter(([, n]) => n > 1).map(([u]) => u);
    if (dupes.length > 0) {
        throw new Error(`duplicate URNs (the real engine rejects these):\n  ${dupes.join("\n  ")}`);
    }
    return { resources: recorder.resources, result, config, invokes: recorder.invokes };
}

const cache = new Map<string, Promise<ProgramRun>>();

/**
 * Runs `index.ts` for `stack` under mocks and returns every registered resource and the resolved
 * stack outputs. Runs without overrides are cached per stack, so test files share one run.
 */
export function runProgram(stack: string, opts: RunOptions = {}): Promise<ProgramRun> {
    const key = opts.override || opts.preview ? undefined : stack;
    if (key && cache.has(key)) {
        return cache.get(key)!;
    }
    const run = (async () => {
        const { resources, result, config, invokes } = await simulate(stack, () => require(path.join(PROJECT_DIR, "index")), opts);
        if (resources.length === 0) {
            throw new Error(`the mocks saw no resource for stack ${stack}: the program did not run under them`);
        }
        const exportsObj = (result ?? {}) as Record<string, unknown>;
        const outputs: Record<string, unknown> = {};
        const secretOutputs: string[] = [];
        for (const [k, v] of Object.entries(exportsObj)) {
            outputs[k] = await valueOf(v as any);
            if (await isSecret(v)) {
                secretOutputs.push(k);
            }
        }
        return new ProgramRun(stack, resources, outputs, secretOutputs, config, invokes);
    })();
    if (key) {
        cache.set(key, run);
    }
    return run;
}

/** Stack names with a `Pulumi.<stack>.yaml` in the project. */
export function stackNames(): string[] {
    return fs
        .readdirSync(PROJECT_DIR)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}
