/**
 * API Gateway transport: the WebSocket API's `$connect`, `$default` and `$disconnect` routes arrive
 * as HTTP POSTs with the connection's context in headers (lib/serviceContract.ts); replies go back
 * through the API Gateway Management API (PostToConnection) with the pod's IRSA role.
 */
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import * as http from "http";
import { WEBSOCKET_HEADERS, WEBSOCKET_ROUTES } from "../../lib/serviceContract";
import { HttpError, readBody, Route } from "../common/http";
import { ConnectionPoster, GATEWAY_OWNER, Member, RoomHub } from "./hub";
import { parseClientMessage, ProtocolError } from "./protocol";

const HOST_NAME = /^[A-Za-z0-9.-]{1,253}$/;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const API_ID = /^[a-z0-9]{1,32}$/;

function header(req: http.IncomingMessage, name: string): string | undefined {
    const v = req.headers[name.toLowerCase()];
    return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
}

/**
 * Where to post to a connection: the configured override, else the API's own execute-api endpoint
 * (valid with or without a custom domain) when the region is known, else `https://{domain}/{stage}`.
 */
export function managementEndpoint(req: http.IncomingMessage, override: string | undefined, region: string | undefined): string {
    if (override) {
        return override;
    }
    const stage = header(req, WEBSOCKET_HEADERS.stage);
    if (!stage || !STAGE_NAME.test(stage)) {
        throw new HttpError(400, `${WEBSOCKET_HEADERS.stage} is missing or malformed`);
    }
    const apiId = header(req, WEBSOCKET_HEADERS.apiId);
    if (apiId && API_ID.test(apiId) && region) {
        return `https://${apiId}.execute-api.${region}.amazonaws.com/${stage}`;
    }
    const domain = header(req, WEBSOCKET_HEADERS.domainName);
    if (!domain || !HOST_NAME.test(domain)) {
        throw new HttpError(400, `${WEBSOCKET_HEADERS.domainName} is missing or malformed`);
    }
    return `https://${domain}/${stage}`;
}

/** The API Gateway member a request speaks for; 400 without a connection id, 401 without a verified user. */
function gatewayMember(req: http.IncomingMessage, endpoint: string): Member {
    const connectionId = header(req, WEBSOCKET_HEADERS.connectionId);
    if (!connectionId) {
        throw new HttpError(400, `${WEBSOCKET_HEADERS.connectionId} is missing`);
    }
    // The authorizer's principal, which API Gateway writes on every route of the connection.
    const userId = header(req, WEBSOCKET_HEADERS.userId);
    if (!userId) {
        throw new HttpError(401, "no verified identity");
    }
    return { connectionId, userId, owner: GATEWAY_OWNER, endpoint };
}

type RouteSlug = (typeof WEBSOCKET_ROUTES)[number]["slug"];

/** One handler per WebSocket API route, on the path the contract gives that route. */
export function gatewayRoutes(hub: RoomHub, endpointOverride: string | undefined, region: string | undefined): Route[] {
    const handlers: Record<RouteSlug, Route["handler"]> = {
        connect: async ({ req }) => {
            await hub.connect(gatewayMember(req, managementEndpoint(req, endpointOverride, region)));
            return { status: 200, body: {} };
        },
        message: async ({ req }) => {
            const member = gatewayMember(req, managementEndpoint(req, endpointOverride, region));
            const text = await readBody(req);
            try {
                await hub.handle(member, parseClientMessage(text));
            } catch (err) {
                if (!(err instanceof ProtocolError)) {
                    throw err;
                }
                // The client hears why; API Gateway ignores this HTTP response (no route response).
                await hub.sendTo(member, { type: "error", message: err.message });
            }
            return { status: 200, body: {} };
        },
        disconnect: async ({ req }) => {
            const connectionId = header(req, WEBSOCKET_HEADERS.connectionId);
            if (!connectionId) {
                throw new HttpError(400, `${WEBSOCKET_HEADERS.connectionId} is missing`);
            }
            await hub.disconnect(connectionId);
            return { status: 200, body: {} };
        },
    };
    return WEBSOCKET_ROUTES.map((r) => ({ method: "POST", pattern: r.path, handler: handlers[r.slug] }));
}

/** PostToConnection with one client per endpoint; credentials come from the pod's IRSA role. */
export class ApiGatewayPoster implements ConnectionPoster {
    private readonly clients = new Map<string, ApiGatewayManagementApiClient>();

    constructor(private readonly region: string | undefined) {}

    async post(endpoint: string, connectionId: string, data: string): Promise<"ok" | "gone"> {
        let client = this.clients.get(endpoint);
        if (!client) {
            client = new ApiGatewayManagementApiClient({ endpoint, region: this.region ?? regionOf(endpoint) });
            this.clients.set(endpoint, client);
        }
        try {
            await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(data) }));
            return "ok";
        } catch (err) {
            if (err instanceof GoneException || (err as { name?: string }).name === "GoneException") {
                return "gone";
            }
            throw err;
        }
    }

    close(): void {
        for (const c of this.clients.values()) {
            c.destroy();
        }
        this.clients.clear();
    }
}

/** `eu-west-3` from `https://abc.execute-api.eu-west-3.amazonaws.com/prod`; us-east-1 otherwise (signing needs one). */
export function regionOf(endpoint: string): string {
    return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(endpoint)?.[1] ?? "us-east-1";
}
