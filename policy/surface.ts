/**
 * The public surface: metrics and probes live on each service's management port,
 * which nothing outside the cluster may reach, and the HTTP API routes only configured path prefixes.
 * The pack runs on its own, so it restates the contract's values; tests/policy/surface.test.ts holds
 * them equal to lib/serviceContract.ts.
 */
import { asArray, Res, stackPolicy } from "./framework";

/** The management port (lib/serviceContract.ts `MANAGEMENT_PORT`, `MANAGEMENT_PORT_NAME`). */
export const MANAGEMENT_PORT = 9090;
export const MANAGEMENT_PORT_NAME = "mgmt";
/** Paths served only on it (`METRICS_PATH`, `PROBE_PATHS`). */
export const MANAGEMENT_PATHS = ["/metrics", "/healthz", "/ready"];

const TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding";
const SERVICE = "kubernetes:core/v1:Service";
const TARGET_GROUP = "aws:lb/targetGroup:TargetGroup";
const LISTENER = "aws:lb/listener:Listener";
const INTEGRATION = "aws:apigatewayv2/integration:Integration";
const ROUTE = "aws:apigatewayv2/route:Route";
const API = "aws:apigatewayv2/api:Api";

const isManagementPort = (p: unknown) => p === MANAGEMENT_PORT || p === String(MANAGEMENT_PORT) || p === MANAGEMENT_PORT_NAME;
/** The management path a request path equals or lies under (`/metrics/x`), if any. */
export const managementPathOf = (path: string) => MANAGEMENT_PATHS.find((p) => path === p || path.startsWith(`${p}/`));
const k8sName = (r: Res) => r.props.metadata?.name ?? r.name;
const k8sNamespace = (r: Res) => r.props.metadata?.namespace ?? "default";

/** Why an API integration's URI reaches the management port or a management path, if it does. */
function integrationReach(uri: string): string | undefined {
    let url: URL;
    try {
        url = new URL(uri);
    } catch {
        return undefined; // A listener or function ARN: the listener check covers it.
    }
    if (isManagementPort(url.port)) {
        return `port ${url.port}`;
    }
    const path = managementPathOf(decodeURIComponent(url.pathname));
    return path ? `the management path ${path}` : undefined;
}

/** Violations of the management port rule: what reaches port 9090 (`mgmt`) from outside the cluster. */
export function managementPortViolations(resources: Res[]): Array<{ message: string; urn?: string }> {
    const out: Array<{ message: string; urn?: string }> = [];
    const services = resources.filter((r) => r.type === SERVICE);
    for (const b of resources.filter((r) => r.type === TGB)) {
        const spec = b.props.spec ?? {};
        const ref = spec.serviceRef ?? {};
        if (isManagementPort(ref.port)) {
            out.push({ message: `TargetGroupBinding ${k8sName(b)} binds the management port (${ref.port}).`, urn: b.urn });
        }
        const ingressPorts = asArray(spec.networking?.ingress).flatMap((i: any) => asArray(i.ports).map((p: any) => p.port));
        if (ingressPorts.some(isManagementPort)) {
            out.push({ message: `TargetGroupBinding ${k8sName(b)} opens the management port to the load balancer.`, urn: b.urn });
        }
        const svc = services.find((s) => k8sName(s) === ref.name && k8sNamespace(s) === k8sNamespace(b));
        const port = asArray(svc?.props.spec?.ports).find((p: any) => p.name === ref.port || p.port === ref.port);
        if (svc && port && isManagementPort(port.targetPort)) {
            out.push({ message: `TargetGroupBinding ${k8sName(b)} reaches the management port through Service ${k8sName(svc)} port ${ref.port}.`, urn: b.urn });
        }
    }
    for (const tg of resources.filter((r) => r.type === TARGET_GROUP)) {
        const hc = tg.props.healthCheck ?? {};
        if (isManagementPort(tg.props.port) || isManagementPort(hc.port)) {
            out.push({ message: `Target group ${tg.name} sends traffic or health checks to port ${MANAGEMENT_PORT}.`, urn: tg.urn });
        }
        if (hc.path && managementPathOf(String(hc.path))) {
            out.push({ message: `Target group ${tg.name} health-checks ${hc.path}, a management path.`, urn: tg.urn });
        }
    }
    for (const l of resources.filter((r) => r.type === LISTENER)) {
        if (isManagementPort(l.props.port)) {
            out.push({ message: `Listener ${l.name} listens on the management port ${MANAGEMENT_PORT}.`, urn: l.urn });
        }
    }
    for (const i of resources.filter((r) => r.type === INTEGRATION)) {
        const reach = i.props.integrationUri ? integrationReach(String(i.props.integrationUri)) : undefined;
        if (reach) {
            out.push({ message: `API integration ${i.name} reaches ${reach}.`, urn: i.urn });
        }
    }
    return out;
}

/** Violations of the HTTP API routing rule: a catch-all to a service, or a route naming a management path. */
export function httpRouteViolations(resources: Res[]): Array<{ message: string; urn?: string }> {
    const httpApis = new Set(resources.filter((r) => r.type === API && r.props.protocolType === "HTTP").map((r) => r.urn));
    const out: Array<{ message: string; urn?: string }> = [];
    for (const r of resources.filter((x) => x.type === ROUTE && (x.dependencies ?? []).some((d) => httpApis.has(d)))) {
        const key = String(r.props.routeKey ?? "");
        const path = key.slice(key.indexOf(" ") + 1);
        if (key === "$default" || /^\/\{[^}]*\+\}$/.test(path) || path === "/") {
            out.push({ message: `HTTP API route ${key} sends every path to its integration; route configured prefixes instead (api.routePrefixes).`, urn: r.urn });
        } else if (managementPathOf(path)) {
            out.push({ message: `HTTP API route ${key} names the management path ${managementPathOf(path)}.`, urn: r.urn });
        }
    }
    return out;
}

export const surfacePolicies = [
    stackPolicy(
        {
            name: "program-management-port-internal",
            description: "No TargetGroupBinding, target group, NLB listener or API integration reaches the services' management port (metrics, probes) or its paths",
            severity: "high",
            judge: "program",
            appliesTo: [TGB, TARGET_GROUP, LISTENER, INTEGRATION],
            remediation: "bind the Service's `http` port only, health-check the traffic port, and keep 9090 (`mgmt`) for kubelet and Prometheus (k8s/serviceSpecs.ts, components/api).",
        },
        managementPortViolations,
    ),
    stackPolicy(
        {
            name: "program-http-api-no-catch-all",
            description: "The HTTP API routes only configured path prefixes to a service: no `$default` or `/{proxy+}` catch-all, no management path",
            severity: "high",
            judge: "program",
            appliesTo: [ROUTE],
            remediation: "list the service's prefixes in api.routePrefixes (METHOD /p and METHOD /p/{proxy+} each); public routes in api.publicRoutes.",
        },
        httpRouteViolations,
    ),
];
