/**
 * The program's half of the service contract (the services' half: tests/services/contract.test.ts).
 * From the real program on every stack, what it configures for the services — env names and values,
 * ports and their names, probe paths and ports, the data Secret's keys and mount, the scrape path and
 * port of the monitors, the WebSocket integrations' paths and headers, the image build — equals the
 * constants of lib/serviceContract.ts that the services read. Nothing here spells a value itself.
 */
import { strict as assert } from "assert";
import * as contract from "../../lib/serviceContract";
import { APP_NAMESPACE, ServiceConfig } from "../../lib/contracts";
import { ProgramRun, RecordedResource, runProgram, stackNames } from "../../offline/harness";

/** Every env name the contract defines: the only names the program may set on its own. */
const CONTRACT_ENV = new Set<string>([
    contract.APP_PORT_ENV,
    contract.MANAGEMENT_PORT_ENV,
    contract.SHUTDOWN_TIMEOUT_ENV,
    contract.WEBSOCKET_MANAGEMENT_ENDPOINT_ENV,
    ...Object.values(contract.DATA_ENV),
    ...Object.values(contract.PERSONALIZE_ENV),
    ...Object.values(contract.SCRAPER_ENV),
]);

for (const stack of stackNames()) {
    describe(`service contract, program side, on stack ${stack}`, () => {
        let run: ProgramRun;
        let services: ServiceConfig[];
        before(async () => {
            run = await runProgram(stack);
            services = JSON.parse(run.config["flodrama:services"]);
        });

        const deployment = (s: ServiceConfig): RecordedResource => run.kubernetes("Deployment").find((d) => d.inputs.metadata?.name === s.name && d.inputs.metadata?.namespace === APP_NAMESPACE)!;
        const container = (s: ServiceConfig) => deployment(s).inputs.spec.template.spec.containers[0];
        const envOf = (s: ServiceConfig): Map<string, any> => new Map(container(s).env.map((e: any) => [e.name, e]));

        it("sets no env name of its own that the contract does not define (config env aside)", () => {
            for (const s of services) {
                const own = [...envOf(s).keys()].filter((n) => !(n in s.env));
                assert.deepEqual(own.filter((n) => !CONTRACT_ENV.has(n)), [], s.name);
            }
        });

        it("serves the app on the contract's port name and env, with the configured port", () => {
            for (const s of services) {
                const c = container(s);
                const app = c.ports.find((p: any) => p.name === contract.APP_PORT_NAME);
                assert.equal(app?.containerPort, s.port ?? contract.DEFAULT_APP_PORT, s.name);
                assert.equal(envOf(s).get(contract.APP_PORT_ENV)?.value, String(s.port), s.name);
                if (envOf(s).has(contract.MANAGEMENT_PORT_ENV)) {
                    assert.equal(envOf(s).get(contract.MANAGEMENT_PORT_ENV).value, String(contract.MANAGEMENT_PORT));
                    assert.equal(c.ports.find((p: any) => p.name === contract.MANAGEMENT_PORT_NAME)?.containerPort, contract.MANAGEMENT_PORT);
                }
            }
        });

        it("probes the contract's paths on a port the container declares", () => {
            for (const s of services) {
                const c = container(s);
                const names = c.ports.map((p: any) => p.name);
                for (const [probe, pathOf] of [
                    ["livenessProbe", contract.PROBE_PATHS.liveness],
                    ["readinessProbe", contract.PROBE_PATHS.readiness],
                    ["startupProbe", contract.PROBE_PATHS.startup],
                ] as const) {
                    assert.equal(c[probe].httpGet.path, pathOf, `${s.name} ${probe}`);
                    assert.ok(names.includes(c[probe].httpGet.port), `${s.name} ${probe} on ${c[probe].httpGet.port}`);
                }
            }
        });

        it("passes the data Secret's keys as the contract's env names and mounts it where the services look", () => {
            for (const s of services) {
                for (const name of Object.values(contract.DATA_ENV)) {
                    assert.equal(envOf(s).get(name)?.valueFrom?.secretKeyRef?.key, name, `${s.name} ${name}`);
                }
                assert.ok(container(s).volumeMounts.some((m: any) => m.mountPath === contract.DATA_SECRET_MOUNT_PATH && m.readOnly), s.name);
            }
        });

        it("runs every service as the user the image is built for", () => {
            for (const s of services) {
                const pod = deployment(s).inputs.spec.template.spec;
                assert.equal(container(s).securityContext?.runAsUser ?? pod.securityContext?.runAsUser, contract.SERVICE_RUN_AS_USER, s.name);
            }
        });

        it("gives the scraper its bucket, prefix, sources (a JSON list) and interval; the API its Personalize tracker", () => {
            for (const s of services.filter((x) => x.role === "scraper")) {
                const env = envOf(s);
                for (const name of Object.values(contract.SCRAPER_ENV)) {
                    assert.ok(env.has(name), `${s.name} ${name}`);
                }
                assert.ok(Array.isArray(JSON.parse(env.get(contract.SCRAPER_ENV.sources).value)));
                assert.match(env.get(contract.SCRAPER_ENV.intervalSeconds).value, /^[1-9][0-9]*$/);
            }
            for (const s of services.filter((x) => x.role === "rest-api")) {
                assert.ok(envOf(s).has(contract.PERSONALIZE_ENV.trackingId), s.name);
                assert.ok(envOf(s).has(contract.PERSONALIZE_ENV.datasetGroupArn), s.name);
            }
        });

        it("scrapes the contract's metrics path on a port the service's pods declare", () => {
            const monitors = run.resources.filter((r) => /monitoring\.coreos\.com\/v1:(ServiceMonitor|PodMonitor)$/.test(r.type));
            assert.ok(monitors.length >= services.length, "a monitor per service");
            const portNames = new Set(services.flatMap((s) => container(s).ports.map((p: any) => p.name)));
            for (const m of monitors) {
                for (const ep of m.inputs.spec.endpoints ?? m.inputs.spec.podMetricsEndpoints) {
                    assert.equal(ep.path, contract.METRICS_PATH, m.name);
                    assert.ok(portNames.has(ep.port), `${m.name} scrapes ${ep.port}`);
                }
            }
        });

        it("posts the WebSocket routes to the contract's paths with the contract's headers", () => {
            const integrations = run.ofType("aws:apigatewayv2/integration:Integration").filter((i) => /\/ws\//.test(String(i.inputs.integrationUri)));
            assert.deepEqual(integrations.map((i) => new URL(i.inputs.integrationUri).pathname).sort(), contract.WEBSOCKET_ROUTES.map((r) => r.path).sort());
            for (const i of integrations) {
                const headers = Object.keys(i.inputs.requestParameters).map((k) => k.replace(/^integration\.request\.header\./, ""));
                assert.deepEqual(headers.sort(), Object.values(contract.WEBSOCKET_HEADERS).sort(), i.name);
            }
        });

        it("builds each image (when it builds) with the contract's Dockerfile, context and build arg for the role", () => {
            for (const s of services.filter((x) => (x.image as any)?.build)) {
                const image = run.one("docker-build:index:Image", `workloads-${s.name}-image-build`);
                assert.equal(image.inputs.dockerfile.location, contract.SERVICE_IMAGE_BUILD.dockerfile);
                assert.equal(image.inputs.context.location, contract.SERVICE_IMAGE_BUILD.context);
                assert.deepEqual(image.inputs.buildArgs, { [contract.SERVICE_IMAGE_BUILD.buildArg]: contract.SERVICE_IMAGE_BY_ROLE[s.role] });
            }
        });
    });
}
