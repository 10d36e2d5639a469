/**
 * Direct WebSocket transport on the app port (`/ws`), for local use and tests: the same rooms and
 * messages as through API Gateway, with the identity taken from the `x-user-id` header of the upgrade
 * request (in the cluster only API Gateway sets it; this endpoint has no route there).
 */
import { randomUUID } from "crypto";
import * as http from "http";
import { Duplex } from "stream";
import { WebSocket, WebSocketServer } from "ws";
import { DIRECT_WEBSOCKET_PATH } from "../../lib/serviceContract";
import { identityOf } from "../common/http";
import { Logger, pathOnly } from "../common/log";
import { Member, RoomHub } from "./hub";
import { parseClientMessage, ProtocolError } from "./protocol";

export const MAX_FRAME_BYTES = 32 * 1024;

function refuse(socket: Duplex, status: number, reason: string): void {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export class DirectTransport {
    private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

    constructor(
        private readonly hub: RoomHub,
        private readonly log: Logger,
    ) {}

    /** Handle upgrades of the app server on `/ws`; anything else is refused. */
    attach(server: http.Server): void {
        server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
            if (pathOnly(req.url) !== DIRECT_WEBSOCKET_PATH) {
                refuse(socket, 404, "Not Found");
                return;
            }
            const who = identityOf(req);
            if (!who) {
                refuse(socket, 401, "Unauthorized");
                return;
            }
            this.wss.handleUpgrade(req, socket, head, (ws) => void this.open(ws, who.userId));
        });
    }

    private async open(ws: WebSocket, userId: string): Promise<void> {
        const member: Member = { connectionId: `${this.hub.podId}/${randomUUID()}`, userId, owner: this.hub.podId };
        this.hub.attachLocal(member.connectionId, (data) => ws.readyState === WebSocket.OPEN && ws.send(data));
        // Frames are handled one at a time per socket, in order (a join before the play that follows it);
        // a failed step is logged and the next one still runs.
        let queue = Promise.resolve();
        const enqueue = (step: string, fn: () => Promise<void>) => {
            queue = queue.then(fn).catch((err: Error) => this.log.warn("websocket_step_failed", { step, connectionId: member.connectionId, error: err }));
        };
        enqueue("connect", () => this.hub.connect(member));
        ws.on("message", (raw) => enqueue("message", () => this.onMessage(member, raw.toString())));
        ws.on("close", () => enqueue("close", async () => {
            await this.hub.detachLocal(member.connectionId);
            await this.hub.disconnect(member.connectionId);
        }));
    }

    private async onMessage(member: Member, raw: string): Promise<void> {
        try {
            await this.hub.handle(member, parseClientMessage(raw));
        } catch (err) {
            if (err instanceof ProtocolError) {
                await this.hub.sendTo(member, { type: "error", message: err.message });
            } else {
                this.log.error("message_failed", { connectionId: member.connectionId, error: err as Error });
                await this.hub.sendTo(member, { type: "error", message: "internal error" }).catch(() => undefined);
            }
        }
    }

    /** Close every socket with 1001 (going away): clients reconnect to another pod. */
    async close(handshakeMs = 1000): Promise<void> {
        for (const ws of this.wss.clients) {
            ws.close(1001, "server shutting down");
        }
        const deadline = Date.now() + handshakeMs;
        while (this.wss.clients.size > 0 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 10));
        }
        // A client that does not answer the close handshake is cut off.
        for (const ws of this.wss.clients) {
            ws.terminate();
        }
        await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    }
}
