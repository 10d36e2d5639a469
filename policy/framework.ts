/**
 * The small framework every FloDrama policy is written with. A policy is a pure `check` that returns
 * violation messages; the wrapper turns it into a CrossGuard policy, consults the documented
 * exceptions (policy/exceptions.ts) and exposes `evaluate` so the offline runner and the tests can
 * call it without the Pulumi engine.
 */
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { exceptionFor } from "./exceptions";
import { asArray, environmentOf, parsed, Res } from "./resource";

// The resource facts and their readers live in resource.ts (exceptions.ts reads them too); policies
// import them from here with the rest of the framework.
export { asArray, environmentOf, parsed };
export type { Res };

/**
 * How a policy is judged: `S`, an FSBP control this program's resource inputs decide alone; `P`, one
 * they decide only partly (the finding also depends on runtime state, AWS-created resources or values
 * AWS changes); `program` and `kubernetes`, the program's own rules.
 */
export type Judge = "S" | "P" | "program" | "kubernetes";

export interface PolicyMeta {
    /** Policy name, e.g. `cloudfront-1-default-root-object`. */
    name: string;
    /** FSBP control id (`CloudFront.1`) or undefined for the program's own rules. */
    control?: string;
    description: string;
    severity: "low" | "medium" | "high" | "critical";
    /** How the control is judged (see `Judge`). */
    judge: Judge;
    /** What to change when it fails. */
    remediation: string;
}

export interface FlodramaResourcePolicy extends PolicyMeta {
    kind: "resource";
    /** Type tokens the policy evaluates; every other resource is not applicable. */
    appliesTo: string[];
    check(r: Res): string[];
}

export interface FlodramaStackPolicy extends PolicyMeta {
    kind: "stack";
    /** Type tokens whose presence makes the policy applicable. */
    appliesTo: string[];
    /** Returns violations, each optionally naming the resource it is about. */
    check(resources: Res[]): Array<{ message: string; urn?: string }>;
}

export type FlodramaPolicy = FlodramaResourcePolicy | FlodramaStackPolicy;

export function resourcePolicy(meta: PolicyMeta & { appliesTo: string[] }, check: (r: Res) => string[] | string | undefined): FlodramaResourcePolicy {
    return {
        ...meta,
        kind: "resource",
        check: (r) => {
            const out = check(r);
            return out === undefined ? [] : Array.isArray(out) ? out : [out];
        },
    };
}

export function stackPolicy(
    meta: PolicyMeta & { appliesTo: string[] },
    check: (resources: Res[]) => Array<{ message: string; urn?: string }>,
): FlodramaStackPolicy {
    return { ...meta, kind: "stack", check };
}

// ---- helpers shared by policies ---------------------------------------------------------------------

/** Whether a policy applies to a type: exact tokens, or prefixes ending in `*` (`aws:*`). */
export function appliesTo(patterns: string[], type: string): boolean {
    return patterns.some((p) => (p.endsWith("*") ? type.startsWith(p.slice(0, -1)) : p === type));
}




/** Every statement of an IAM policy document (JSON string or object). */
export function statementsOf(doc: unknown): any[] {
    const d = parsed(doc);
    return d ? asArray(d.Statement) : [];
}

/** The region a resource is created in: its provider's region. */
export function regionOf(r: Res): string | undefined {
    return r.providerProps?.region;
}

// ---- CrossGuard adapters ----------------------------------------------------------------------------

function fromArgs(args: ResourceValidationArgs | PolicyResource): Res {
    return {
        type: args.type,
        name: args.name,
        urn: args.urn,
        props: args.props,
        protect: args.opts?.protect ?? false,
        providerProps: args.provider?.props,
        dependencies: "dependencies" in args ? args.dependencies.map((d) => d.urn) : undefined,
        parentUrn: "parent" in args && args.parent ? args.parent.urn : args.opts?.parent,
    };
}

/** Violations of a resource policy that no documented exception covers. */
export function evaluateResource(p: FlodramaResourcePolicy, r: Res): { violations: string[]; excepted: Array<{ message: string; reason: string }> } {
    if (!appliesTo(p.appliesTo, r.type)) {
        return { violations: [], excepted: [] };
    }
    const messages = p.check(r);
    const exception = messages.length > 0 ? exceptionFor(p.name, r) : undefined;
    return exception ? { violations: [], excepted: messages.map((message) => ({ message, reason: exception.reason })) } : { violations: messages, excepted: [] };
}

export function evaluateStack(
    p: FlodramaStackPolicy,
    resources: Res[],
): { violations: Array<{ message: string; urn?: string }>; excepted: Array<{ message: string; urn?: string; reason: string }> } {
    if (!resources.some((r) => appliesTo(p.appliesTo, r.type))) {
        return { violations: [], excepted: [] };
    }
    const violations: Array<{ message: string; urn?: string }> = [];
    const excepted: Array<{ message: string; urn?: string; reason: string }> = [];
    for (const v of p.check(resources)) {
        const about = v.urn ? resources.find((r) => r.urn === v.urn) : undefined;
        const exception = about ? exceptionFor(p.name, about) : undefined;
        if (exception) {
            excepted.push({ ...v, reason: exception.reason });
        } else {
            violations.push(v);
        }
    }
    return { violations, excepted };
}

function describe(p: PolicyMeta): string {
    return `${p.control ? `${p.control}: ` : ""}${p.description}`;
}

/** A mandatory CrossGuard policy for each FloDrama policy. */
export function toCrossGuard(p: FlodramaPolicy): ResourceValidationPolicy | StackValidationPolicy {
    const base = { name: p.name, description: describe(p), enforcementLevel: "mandatory" as const, severity: p.severity, remediationSteps: p.remediation };
    if (p.kind === "resource") {
        return {
            ...base,
            validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
                for (const m of evaluateResource(p, fromArgs(args)).violations) {
                    report(`${m} Fix: ${p.remediation}`);
                }
            },
        };
    }
    return {
        ...base,
        validateStack: (args: StackValidationArgs, report: ReportViolation) => {
            for (const v of evaluateStack(p, args.resources.map(fromArgs)).violations) {
                report(`${v.message} Fix: ${p.remediation}`, v.urn);
            }
        },
    };
}

/** One advisory policy that reports every violation covered by a documented exception, so none is silently skipped. */
export function exceptionsReport(policies: FlodramaPolicy[]): StackValidationPolicy {
    return {
        name: "documented-exceptions",
        description: "Reports each control that fails by design, with the reason recorded in policy/exceptions.ts.",
        enforcementLevel: "advisory",
        validateStack: (args: StackValidationArgs, report: ReportViolation) => {
            const resources = args.resources.map(fromArgs);
            for (const p of policies) {
                if (p.kind === "resource") {
                    for (const r of resources) {
                        for (const e of evaluateResource(p, r).excepted) {
                            report(`${p.control ?? p.name} excepted: ${e.reason} (${e.message})`, r.urn);
                        }
                    }
                } else {
                    for (const e of evaluateStack(p, resources).excepted) {
                        report(`${p.control ?? p.name} excepted: ${e.reason} (${e.message})`, e.urn);
                    }
                }
            }
        },
    };
}
