import { strict as assert } from "assert";
import { SUPPORTED_KUBERNETES_VERSIONS } from "../../lib/contracts";
import { ALL_POLICIES } from "../../policy/all";
import { EKS_SUPPORTED_VERSIONS } from "../../policy/aws/eks";
import { EXCEPTIONS } from "../../policy/exceptions";
import { FlodramaPolicy, Res } from "../../policy/framework";
import { CASES } from "./cases";

/** Raw violations, before exceptions: the policies' own verdicts. */
function violations(p: FlodramaPolicy, input: Res | Res[]): string[] {
    if (p.kind === "resource") {
        const list = Array.isArray(input) ? input : [input];
        return list.filter((r) => p.appliesTo.some((t) => (t.endsWith("*") ? r.type.startsWith(t.slice(0, -1)) : t === r.type))).flatMap((r) => p.check(r));
    }
    return p.check(Array.isArray(input) ? input : [input]).map((v) => v.message);
}

describe("policy pack: each policy on a compliant and a violating input", () => {
    it("has unique names and a case for every policy", () => {
        const names = ALL_POLICIES.map((p) => p.name);
        assert.equal(new Set(names).size, names.length, "policy names are unique");
        assert.deepEqual(names.filter((n) => !CASES[n]), [], "policies without cases");
        assert.deepEqual(Object.keys(CASES).filter((n) => !names.includes(n)), [], "cases without policies");
    });

    for (const p of ALL_POLICIES) {
        describe(p.name, () => {
            it("passes the compliant input", () => {
                assert.deepEqual(violations(p, CASES[p.name].good), []);
            });
            it("fails the violating input", () => {
                assert.ok(violations(p, CASES[p.name].bad).length > 0, `${p.name} never fails`);
            });
        });
    }

    it("names FSBP policies after their control", () => {
        for (const p of ALL_POLICIES.filter((x) => x.control)) {
            const [service, id] = p.control!.toLowerCase().split(".");
            assert.ok(p.name.startsWith(`${service}-${id}-`), `${p.name} should start with ${service}-${id}-`);
        }
    });

    it("lists exceptions only for existing policies, each with a reason", () => {
        const names = ALL_POLICIES.map((p) => p.name);
        for (const e of EXCEPTIONS) {
            assert.ok(names.includes(e.policy), `exception for unknown policy ${e.policy}`);
            assert.ok(e.reason.length > 30, `exception for ${e.policy} needs a real reason`);
        }
    });

    it("agrees with the config module on supported Kubernetes versions", () => {
        assert.deepEqual(EKS_SUPPORTED_VERSIONS, [...SUPPORTED_KUBERNETES_VERSIONS]);
    });
});
