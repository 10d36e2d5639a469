/**
 * The contract between the Pulumi program and the FloDrama services: ports, probe and metrics paths,
 * environment variable names, identity headers, Watch Party routes and where the data Secret is
 * mounted. The program builds pods, probes, monitors and API routes from these constants and the
 * services (services/) read the same ones, so the two cannot drift. Plain values only: the services
 * import this file at run time, so it must not import Pulumi or anything else.
 */

/** Application port: env `PORT`, container port name `http`, default 8080. Only this port is behind the NLB / API Gateway. */
export const APP_PORT_ENV = "PORT";
export const APP_PORT_NAME = "http";
export const DEFAULT_APP_PORT = 8080;

/**
 * Management port: probes and Prometheus scrape it, nothing outside the cluster reaches it (no NLB
 * target group or API route points at it), so metrics and probes are never public.
 */
export const MANAGEMENT_PORT_ENV = "MANAGEMENT_PORT";
export const MANAGEMENT_PORT_NAME = "mgmt";
export const MANAGEMENT_PORT = 9090;

/** Paths served on the management port. */
export const PROBE_PATHS = {
    /** The process is alive (liveness and startup). */
    liveness: "/healthz",
    /** MongoDB and Redis answer (readiness): a pod without its data stores gets no traffic. */
    readiness: "/ready",
    startup: "/healthz",
} as const;
export const METRICS_PATH = "/metrics";

/** Keys of the data Secret; the program passes the first two as env vars of the same name. */
export const DATA_ENV = { mongoUri: "MONGODB_URI", redisUrl: "REDIS_URL" } as const;
/** Where the data Secret is mounted in every pod, and the file under it with the MongoDB CA bundle. */
export const DATA_SECRET_MOUNT_PATH = "/etc/flodrama/data";
export const MONGODB_CA_FILE = "mongodb-ca.pem";

/**
 * Identity set by API Gateway from the verified token; any client-supplied value is overwritten.
 * Services trust these and nothing else (never an Authorization header of their own).
 */
export const IDENTITY_HEADERS = {
    /** Cognito `sub`. */
    userId: "x-user-id",
    /** Cognito `cognito:groups`, comma-separated. */
    groups: "x-user-groups",
} as const;
export const GROUPS_SEPARATOR = ",";
/**
 * Access-token claim the viewer pool's pre-token-generation trigger (lambda/pre-token) adds: the user's
 * `cognito:groups` joined with `GROUPS_SEPARATOR`. HTTP API parameter mapping cannot name a claim with
 * a colon, so the `x-user-groups` header is mapped from this one.
 */
export const GROUPS_CLAIM = "groups";

/**
 * Names that look like secrets (case-insensitive, anywhere in the name). The program refuses plaintext
 * `services[].env` values with such a name (they belong in `services[].secrets`, delivered as a
 * Kubernetes Secret); the services never log a field with such a name.
 */
export const SECRET_NAME_PATTERN = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTHORIZATION|COOKIE/i;

/**
 * A plain env variable whose name looks like a secret's (`SECRET_NAME_PATTERN`), except names that
 * carry where a secret is rather than the secret: an ARN (`*_ARN`) or a file path (`*_FILE`).
 */
export function isSecretLikeEnvName(name: string): boolean {
    return SECRET_NAME_PATTERN.test(name) && !/_(ARN|FILE)$/i.test(name);
}

/**
 * For `services[].secrets.NAME` read from Secrets Manager, the program sets `NAME_SECRET_ARN` to the
 * secret's ARN; the service reads the value at start with its IRSA role (Secrets Manager GetSecretValue).
 */
export const SECRET_ARN_ENV_SUFFIX = "_SECRET_ARN";

/**
 * Seconds the service gives itself to drain after SIGTERM before it exits anyway. The program sets it
 * below `terminationGracePeriodSeconds` minus the preStop sleep, so the kubelet never has to SIGKILL.
 */
export const SHUTDOWN_TIMEOUT_ENV = "SHUTDOWN_TIMEOUT_SECONDS";
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 20;

/** REST API: the Personalize event tracker granted by the recommendations component. */
export const PERSONALIZE_ENV = {
    trackingId: "PERSONALIZE_TRACKING_ID",
    datasetGroupArn: "PERSONALIZE_DATASET_GROUP_ARN",
    region: "PERSONALIZE_REGION",
} as const;
/** Public routes of the REST API (no token) and the ones that need the identity header. */
export const API_PATHS = { health: "/health", catalog: "/catalog", me: "/me" } as const;

/** Scraper: where it writes, what it scrapes and how often. */
export const SCRAPER_ENV = {
    bucket: "SCRAPER_BUCKET",
    prefix: "SCRAPER_PREFIX",
    /** JSON list of `{ "name": string, "url": "https://..." }`; default `[]` (the scraper then idles). */
    sources: "SCRAPER_SOURCES",
    intervalSeconds: "SCRAPER_INTERVAL_SECONDS",
} as const;
export const DEFAULT_SCRAPER_INTERVAL_SECONDS = 3600;

/** Path on the Watch Party service each WebSocket API route posts to (HTTP_PROXY integrations). */
export const WEBSOCKET_ROUTES = [
    { routeKey: "$connect", path: "/ws/connect", slug: "connect" },
    { routeKey: "$disconnect", path: "/ws/disconnect", slug: "disconnect" },
    { routeKey: "$default", path: "/ws/message", slug: "message" },
] as const;
/** Request headers the WebSocket integrations set from the route's context. */
export const WEBSOCKET_HEADERS = {
    connectionId: "X-Connection-Id",
    apiId: "X-Api-Id",
    domainName: "X-Domain-Name",
    stage: "X-Stage",
    routeKey: "X-Route-Key",
    /** The principal the WebSocket authorizer verified on `$connect` (its context's `userId`). */
    userId: "X-User-Id",
    /** The viewer's groups from the authorizer's context, comma-separated (`GROUPS_SEPARATOR`). */
    groups: "X-User-Groups",
} as const;
/** Optional override of `https://{X-Domain-Name}/{X-Stage}` for posting to connections (custom domains, tests). */
export const WEBSOCKET_MANAGEMENT_ENDPOINT_ENV = "WEBSOCKET_MANAGEMENT_ENDPOINT";
/** Direct WebSocket endpoint of Watch Party on its app port, for local use; API Gateway never routes here. */
export const DIRECT_WEBSOCKET_PATH = "/ws";

/** How the program builds a service image: one Dockerfile, the repository root as context, one build arg. */
export const SERVICE_IMAGE_BUILD = {
    /** Relative to the repository root. */
    dockerfile: "services/Dockerfile",
    /** The Dockerfile's own ignore file (BuildKit reads `<Dockerfile>.dockerignore`); hash the context through it. */
    ignoreFile: "services/Dockerfile.dockerignore",
    context: ".",
    buildArg: "SERVICE",
} as const;
/** The image (build arg value) that runs each service role of `flodrama:services`. */
export const SERVICE_IMAGE_BY_ROLE = { "rest-api": "api", scraper: "scraper", "watch-party": "watch-party" } as const;
export type ServiceImageName = (typeof SERVICE_IMAGE_BY_ROLE)[keyof typeof SERVICE_IMAGE_BY_ROLE];
/** Numeric user and group the images run as (the pod's `runAsUser` must match). */
export const SERVICE_RUN_AS_USER = 10001;
