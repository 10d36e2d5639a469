/**
 * The ServiceMonitor, PodMonitor and PrometheusRule specs against the real CRD schemas of the
 * prometheus-operator that the pinned chart installs. offline/kubeSchema.ts has no model for custom
 * resources, so without this nothing checked their fields.
 *
 * The fixture holds the `v1` `openAPIV3Schema` of each CRD, descriptions stripped, taken from
 * kube-prometheus-stack's `charts/crds/crds/crd-*.yaml` at the pinned version (operator v0.93.1).
 * Regenerate it when KUBE_PROMETHEUS_STACK.version changes.
 *
 * Stricter than the API server on purpose: it prunes unknown fields silently, so a misspelt field
 * (`scrapeTimout`) would be dropped without an error; here every object with declared properties
 * rejects fields it does not declare, unless the schema preserves unknown fields. Formats (int64)
 * are not checked.
 */
import { strict as assert } from "assert";
// ajv ships with kubernetes-models (through @kubernetes-models/validate), the package offline/kubeSchema.ts uses.
import Ajv from "ajv";
import { KUBE_PROMETHEUS_STACK } from "../../k8s/monitoringValues";
import { CustomResourceSpec, podMonitorSpec, prometheusRuleSpec } from "../../k8s/serviceMonitoring";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const CRDS: Record<string, { operatorVersion: string; schema: any }> = require("./fixtures/prometheus-operator-crds.json");

/** The chart version the fixture was taken from. */
const FIXTURE_CHART_VERSION = "88.5.3";

function compiles(pattern: string): boolean {
    try {
        new RegExp(pattern, "u");
        return true;
    } catch {
        return false;
    }
}

/** Closes every object schema that lists its properties and does not preserve unknown fields. */
function closed(schema: any): any {
    if (Array.isArray(schema)) {
        return schema.map(closed);
    }
    if (!schema || typeof schema !== "object") {
        return schema;
    }
    const out: any = {};
    for (const [k, v] of Object.entries(schema)) {
        out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v);
    }
    // Go's RE2 syntax such as `(?i)` has no JavaScript equivalent: such a pattern is left unchecked.
    if (typeof out.pattern === "string" && !compiles(out.pattern)) {
        delete out.pattern;
    }
    if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
        out.additionalProperties = false;
    }
    return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
const validators = Object.fromEntries(Object.entries(CRDS).map(([kind, crd]) => [kind, ajv.compile(closed(crd.schema))]));

function errorsOf(obj: CustomResourceSpec): string[] {
    const validate = validators[obj.kind];
    assert.ok(validate, `no CRD schema for ${obj.kind}`);
    return validate(obj) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

describe("monitoring: custom resources against the prometheus-operator CRDs", () => {
    it("uses the CRDs of the pinned chart", () => {
        assert.equal(KUBE_PROMETHEUS_STACK.version, FIXTURE_CHART_VERSION, "regenerate tests/monitoring/fixtures/prometheus-operator-crds.json for the new chart");
        assert.deepEqual(Object.keys(CRDS).sort(), ["PodMonitor", "PrometheusRule", "ServiceMonitor"]);
    });

    it("accepts the PodMonitors and the PrometheusRule", () => {
        for (const obj of [
            podMonitorSpec("api", "flodrama"),
            podMonitorSpec("scraper", "flodrama"),
            prometheusRuleSpec("flodrama-services", "monitoring", "flodrama", ["api", "watch-party", "recommendations"]),
        ]) {
            assert.deepEqual(errorsOf(obj), [], `${obj.kind}/${obj.metadata.name}`);
        }
    });

    it("rejects a misspelt field, a wrong type and a malformed duration (the check has teeth)", () => {
        const pm = podMonitorSpec("scraper", "flodrama");
        const misspelt = { ...pm, spec: { ...pm.spec, podMetricsEndpoints: [{ ...pm.spec.podMetricsEndpoints[0], scrapeTimout: "10s" }] } };
        assert.ok(errorsOf(misspelt).some((e) => e.includes("scrapeTimout")));
        assert.notDeepEqual(errorsOf({ ...pm, spec: { ...pm.spec, podMetricsEndpoints: "http" } }), []);
        const rule = prometheusRuleSpec("r", "monitoring", "flodrama", ["api"]);
        const badFor = JSON.parse(JSON.stringify(rule));
        badFor.spec.groups[0].rules[0].for = "5 minutes";
        assert.notDeepEqual(errorsOf(badFor), []);
    });
});
