/**
 * Runs the policy pack offline over every resource a stack registers under the mocks, the way
 * `pulumi preview --policy-pack policy` would: resource policies see each resource's inputs, stack
 * policies see every resource's state. Used by the tests (a mandatory violation fails them) and by
 * `npm run plan` (which prints the verdicts).
 */
import { ALL_POLICIES } from "../policy/all";
import { appliesTo, evaluateResource, evaluateStack, FlodramaPolicy, Res } from "../policy/framework";
import { ProgramRun, RecordedResource } from "./harness";

export interface Finding {
    policy: string;
    control?: string;
    urn?: string;
    resource?: string;
    message: string;
    /** Set for findings that a documented exception turns into advisories. */
    exception?: string;
    remediation: string;
}

export interface PolicyVerdict {
    policy: FlodramaPolicy;
    /** Resources the policy evaluated (resource policies) or 1 when a stack policy applied. */
    evaluated: number;
    violations: Finding[];
    excepted: Finding[];
}

export interface PolicyReport {
    stack: string;
    verdicts: PolicyVerdict[];
    violations: Finding[];
    excepted: Finding[];
}

function toRes(run: ProgramRun, r: RecordedResource, props: Record<string, any>): Res {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props,
        protect: r.protect,
        providerProps: run.providerOf(r)?.inputs,
        dependencies: r.dependencies,
        parentUrn: r.parent,
    };
}

export function runPolicies(run: ProgramRun, policies: FlodramaPolicy[] = ALL_POLICIES): PolicyReport {
    const asInputs = run.resources.map((r) => toRes(run, r, r.inputs));
    const asState = run.resources.map((r) => toRes(run, r, { ...r.inputs, ...r.state }));
    const nameOf = (urn?: string) => (urn ? run.byUrn(urn)?.name : undefined);
    const verdicts: PolicyVerdict[] = policies.map((p) => {
        const violations: Finding[] = [];
        const excepted: Finding[] = [];
        let evaluated = 0;
        const finding = (message: string, urn: string | undefined, exception?: string): Finding => ({
            policy: p.name,
            control: p.control,
            urn,
            resource: nameOf(urn),
            message,
            exception,
            remediation: p.remediation,
        });
        if (p.kind === "resource") {
            for (const r of asInputs) {
                const { violations: v, excepted: e } = evaluateResource(p, r);
                if (appliesTo(p.appliesTo, r.type)) {
                    evaluated += 1;
                }
                violations.push(...v.map((m) => finding(m, r.urn)));
                excepted.push(...e.map((x) => finding(x.message, r.urn, x.reason)));
            }
        } else {
            evaluated = asState.some((r) => appliesTo(p.appliesTo, r.type)) ? 1 : 0;
            const { violations: v, excepted: e } = evaluateStack(p, asState);
            violations.push(...v.map((x) => finding(x.message, x.urn)));
            excepted.push(...e.map((x) => finding(x.message, x.urn, x.reason)));
        }
        return { policy: p, evaluated, violations, excepted };
    });
    return {
        stack: run.stack,
        verdicts,
        violations: verdicts.flatMap((v) => v.violations),
        excepted: verdicts.flatMap((v) => v.excepted),
    };
}

/** One line per finding: policy, resource, message and the fix. */
export function formatFinding(f: Finding): string {
    return `[${f.policy}${f.control ? ` (${f.control})` : ""}] ${f.resource ?? "stack"}: ${f.message}${f.exception ? ` Excepted: ${f.exception}.` : ` Fix: ${f.remediation}`}`;
}

/**
 * Status of one verdict. A policy that evaluated nothing is "not visible offline" when a type it is
 * about exists in the stack only inside a remote component (`hiddenTypes`), else "not applicable".
 */
export function verdictStatus(v: PolicyVerdict, hiddenTypes: string[] = []): "FAIL" | "EXCEPTION" | "pass" | "not visible offline" | "not applicable" {
    if (v.violations.length) {
        return "FAIL";
    }
    if (v.excepted.length) {
        return "EXCEPTION";
    }
    if (v.evaluated) {
        return "pass";
    }
    return hiddenTypes.some((t) => appliesTo(v.policy.appliesTo, t)) ? "not visible offline" : "not applicable";
}

/** The verdict table `npm run plan` prints: violations first, then exceptions, passes, not visible offline, not applicable. */
export function renderPolicyReport(report: PolicyReport, hiddenTypes: string[] = []): string {
    const lines: string[] = [];
    const status = (v: PolicyVerdict) => verdictStatus(v, hiddenTypes);
    const order = { FAIL: 0, EXCEPTION: 1, pass: 2, "not visible offline": 3, "not applicable": 4 } as const;
    const sorted = [...report.verdicts].sort((a, b) => order[status(a)] - order[status(b)] || a.policy.name.localeCompare(b.policy.name));
    const width = Math.max(...sorted.map((v) => v.policy.name.length));
    for (const v of sorted) {
        const s = status(v);
        const counts = s.startsWith("not ") ? "" : `  evaluated ${v.evaluated}, violations ${v.violations.length}, excepted ${v.excepted.length}`;
        lines.push(`  ${s.padEnd(19)} ${v.policy.name.padEnd(width)}  ${(v.policy.control ?? "").padEnd(16)}${counts}`);
    }
    if (report.violations.length) {
        lines.push("", "Violations:", ...report.violations.map((f) => `  ${formatFinding(f)}`));
    }
    if (report.excepted.length) {
        lines.push("", "Documented exceptions (advisory):", ...report.excepted.map((f) => `  ${formatFinding(f)}`));
    }
    return lines.join("\n");
}
