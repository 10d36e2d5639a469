import { strict as assert } from "assert";
import { podSecurityViolations, podSpecOf } from "../../policy/podSecurity";

const compliant = () => ({
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    volumes: [{ name: "tmp", emptyDir: {} }],
    containers: [
        {
            name: "app",
            image: "registry.example.com/flodrama/api:1.0.0",
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
        },
    ],
});

describe("Pod Security restricted check", () => {
    it("passes a compliant pod", () => {
        assert.deepEqual(podSecurityViolations(compliant()), []);
    });

    const cases: Array<[string, (s: any) => void, RegExp]> = [
        ["privilege escalation not set", (s) => delete s.containers[0].securityContext.allowPrivilegeEscalation, /allowPrivilegeEscalation must be false/],
        ["capabilities not dropped", (s) => (s.containers[0].securityContext.capabilities = {}), /drop must include ALL/],
        ["an added capability", (s) => (s.containers[0].securityContext.capabilities.add = ["NET_ADMIN"]), /add may only hold NET_BIND_SERVICE/],
        ["root allowed", (s) => delete s.securityContext.runAsNonRoot, /runAsNonRoot/],
        ["uid 0", (s) => (s.containers[0].securityContext.runAsUser = 0), /runAsUser must not be 0/],
        ["no seccomp profile", (s) => delete s.securityContext.seccompProfile, /seccompProfile/],
        ["unconfined seccomp", (s) => (s.containers[0].securityContext.seccompProfile = { type: "Unconfined" }), /seccompProfile/],
        ["a hostPath volume", (s) => s.volumes.push({ name: "host", hostPath: { path: "/" } }), /hostPath/],
        ["host network", (s) => (s.hostNetwork = true), /hostNetwork/],
        ["privileged", (s) => (s.containers[0].securityContext.privileged = true), /privileged/],
        ["a host port", (s) => (s.containers[0].ports = [{ containerPort: 80, hostPort: 80 }]), /hostPort/],
        ["a probe host", (s) => (s.containers[0].livenessProbe.httpGet.host = "10.0.0.1"), /must not set a host/],
        ["an unsafe sysctl", (s) => (s.securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }]), /sysctls/],
        ["an init container with root", (s) => s.initContainers = [{ name: "init", image: "x:1", securityContext: { runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }], /initContainers\[init\].*runAsNonRoot/],
    ];
    for (const [what, mutate, expected] of cases) {
        it(`rejects ${what}`, () => {
            const spec = compliant();
            mutate(spec);
            const v = podSecurityViolations(spec);
            assert.ok(v.some((x) => expected.test(x)), `expected ${expected} in ${JSON.stringify(v)}`);
        });
    }

    it("finds the pod spec of each workload kind", () => {
        const spec = compliant();
        assert.equal(podSpecOf("Deployment", { spec: { template: { spec } } })!.spec, spec);
        assert.equal(podSpecOf("StatefulSet", { spec: { template: { spec } } })!.spec, spec);
        assert.equal(podSpecOf("CronJob", { spec: { jobTemplate: { spec: { template: { spec } } } } })!.spec, spec);
        assert.equal(podSpecOf("Service", {}), undefined);
    });
});
