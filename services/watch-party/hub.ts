/**
 * Rooms across pods. Membership lives in Redis (a hash per room, a hash per connection); every member
 * has exactly one owner: the pod holding its socket (direct transport) or API Gateway (`apigw`).
 * A broadcast is published once on one channel; each pod delivers it to the sockets it holds in that
 * room, and only the publishing pod posts it to the room's API Gateway connections. Every member thus
 * gets each event exactly once, however many pods run.
 */
import type Redis from "ioredis";
import { Counter, Gauge, Registry } from "prom-client";
import { Logger } from "../common/log";
import { ClientMessage, ServerEvent } from "./protocol";

export const KEY_PREFIX = "flodrama:wp:";
export const EVENTS_CHANNEL = `${KEY_PREFIX}events`;
export const GATEWAY_OWNER = "apigw";
/** API Gateway closes a WebSocket after 2 hours: membership of a vanished connection expires after that. */
export const CONNECTION_TTL_SECONDS = 2 * 3600 + 600;

export interface Member {
    connectionId: string;
    userId: string;
    /** The pod id that holds the socket, or `apigw`. */
    owner: string;
    /** Management endpoint for `apigw` members. */
    endpoint?: string;
}

/** Posts to an API Gateway connection; `gone` when the client has disconnected (HTTP 410). */
export interface ConnectionPoster {
    post(endpoint: string, connectionId: string, data: string): Promise<"ok" | "gone">;
}

interface LocalSocket {
    send(data: string): void;
    room?: string;
}

const roomKey = (room: string) => `${KEY_PREFIX}room:${room}`;
const connKey = (id: string) => `${KEY_PREFIX}conn:${id}`;

export class RoomHub {
    private readonly local = new Map<string, LocalSocket>();
    private readonly deliveries: Counter<"transport" | "result">;
    private readonly messages: Counter<"action">;

    constructor(
        private readonly redis: Redis,
        private readonly subscriber: Redis,
        readonly podId: string,
        private readonly poster: ConnectionPoster,
        private readonly log: Logger,
        registry: Registry,
    ) {
        this.deliveries = new Counter({ name: "watch_party_deliveries_total", help: "Events delivered to members, by transport and result", labelNames: ["transport", "result"] as const, registers: [registry] });
        this.messages = new Counter({ name: "watch_party_messages_total", help: "Client messages handled, by action", labelNames: ["action"] as const, registers: [registry] });
        const local = this.local;
        new Gauge({
            name: "watch_party_local_connections",
            help: "WebSocket connections this pod holds (direct transport)",
            registers: [registry],
            collect() {
                this.set(local.size);
            },
        });
    }

    private subscribed = false;

    /**
     * Subscribe to the events channel now and after every reconnect: commands fail at once while Redis
     * is down (no offline queue), so a subscription attempted then must be made again on `ready`.
     */
    async start(): Promise<void> {
        this.subscriber.on("message", (channel: string, message: string) => {
            if (channel === EVENTS_CHANNEL) {
                this.deliverLocal(message);
            }
        });
        const subscribe = () =>
            this.subscriber.subscribe(EVENTS_CHANNEL).then(
                () => (this.subscribed = true),
                (err: Error) => this.log.warn("subscribe_failed", { error: err }),
            );
        this.subscriber.on("ready", () => void subscribe());
        this.subscriber.on("close", () => (this.subscribed = false));
        if (this.subscriber.status === "ready") {
            await subscribe();
        }
    }

    /** Readiness: without the subscription this pod's sockets would miss every broadcast. */
    async subscriptionCheck(): Promise<void> {
        if (!this.subscribed) {
            throw new Error(`not subscribed to ${EVENTS_CHANNEL}`);
        }
    }

    /** A socket this pod holds (direct transport). */
    attachLocal(connectionId: string, send: (data: string) => void): void {
        this.local.set(connectionId, { send });
    }

    async detachLocal(connectionId: string): Promise<void> {
        try {
            await this.leave(connectionId);
        } finally {
            this.local.delete(connectionId);
        }
    }

    /** Record a connection (on `$connect` or a direct socket's open). */
    async connect(member: Member): Promise<void> {
        const fields: Record<string, string> = { userId: member.userId, owner: member.owner };
        if (member.endpoint) {
            fields.endpoint = member.endpoint;
        }
        await this.redis.multi().hset(connKey(member.connectionId), fields).expire(connKey(member.connectionId), CONNECTION_TTL_SECONDS).exec();
    }

    async member(connectionId: string): Promise<(Member & { room?: string }) | undefined> {
        const h = await this.redis.hgetall(connKey(connectionId));
        if (!h.userId || !h.owner) {
            return undefined;
        }
        return { connectionId, userId: h.userId, owner: h.owner, endpoint: h.endpoint, room: h.room || undefined };
    }

    async handle(member: Member, msg: ClientMessage): Promise<void> {
        this.messages.inc({ action: msg.action });
        switch (msg.action) {
            case "join":
                await this.join(member, msg.room);
                return;
            case "leave":
                await this.leave(member.connectionId);
                return;
            default: {
                const current = await this.member(member.connectionId);
                if (!current?.room) {
                    await this.sendTo(member, { type: "error", message: "join a room first" });
                    return;
                }
                await this.broadcast(current.room, { type: msg.action, room: current.room, userId: member.userId, position: msg.position, sentAt: new Date().toISOString() });
            }
        }
    }

    async join(member: Member, room: string): Promise<void> {
        await this.leave(member.connectionId);
        const json = JSON.stringify(member);
        await this.redis
            .multi()
            .hset(roomKey(room), member.connectionId, json)
            .expire(roomKey(room), CONNECTION_TTL_SECONDS)
            .hset(connKey(member.connectionId), { userId: member.userId, owner: member.owner, room, ...(member.endpoint ? { endpoint: member.endpoint } : {}) })
            .expire(connKey(member.connectionId), CONNECTION_TTL_SECONDS)
            .exec();
        const socket = this.local.get(member.connectionId);
        if (socket) {
            socket.room = room;
        }
        await this.broadcast(room, { type: "joined", room, userId: member.userId });
    }

    /** Leave the current room, if any, and forget the connection's room. */
    async leave(connectionId: string): Promise<void> {
        const current = await this.member(connectionId);
        const socket = this.local.get(connectionId);
        if (socket) {
            socket.room = undefined;
        }
        if (!current?.room) {
            return;
        }
        await this.redis.multi().hdel(roomKey(current.room), connectionId).hdel(connKey(connectionId), "room").exec();
        await this.broadcast(current.room, { type: "left", room: current.room, userId: current.userId });
    }

    /** Forget a connection entirely (`$disconnect`, socket closed). */
    async disconnect(connectionId: string): Promise<void> {
        await this.leave(connectionId);
        await this.redis.del(connKey(connectionId));
    }

    async broadcast(room: string, event: ServerEvent): Promise<void> {
        const members = Object.values(await this.redis.hgetall(roomKey(room))).map((j) => JSON.parse(j) as Member);
        const data = JSON.stringify(event);
        if (members.some((m) => m.owner !== GATEWAY_OWNER)) {
            await this.redis.publish(EVENTS_CHANNEL, JSON.stringify({ room, data }));
        }
        await Promise.all(members.filter((m) => m.owner === GATEWAY_OWNER).map((m) => this.postGateway(m, data, room)));
    }

    /** A reply to one member only (errors), wherever its socket is held. */
    async sendTo(member: Member, event: ServerEvent): Promise<void> {
        const data = JSON.stringify(event);
        if (member.owner === GATEWAY_OWNER) {
            await this.postGateway(member, data);
        } else {
            this.local.get(member.connectionId)?.send(data);
        }
    }

    private async postGateway(member: Member, data: string, room?: string): Promise<void> {
        if (!member.endpoint) {
            this.deliveries.inc({ transport: "apigw", result: "no_endpoint" });
            return;
        }
        try {
            const result = await this.poster.post(member.endpoint, member.connectionId, data);
            this.deliveries.inc({ transport: "apigw", result });
            if (result === "gone" && room) {
                // The client left without a $disconnect reaching us: drop it so nobody posts to it again.
                await this.redis.multi().hdel(roomKey(room), member.connectionId).del(connKey(member.connectionId)).exec();
            }
        } catch (err) {
            this.deliveries.inc({ transport: "apigw", result: "error" });
            this.log.warn("post_to_connection_failed", { connectionId: member.connectionId, error: err as Error });
        }
    }

    private deliverLocal(message: string): void {
        let parsed: { room: string; data: string };
        try {
            parsed = JSON.parse(message);
        } catch {
            this.log.warn("bad_event_on_channel", { channel: EVENTS_CHANNEL });
            return;
        }
        for (const socket of this.local.values()) {
            if (socket.room === parsed.room) {
                socket.send(parsed.data);
                this.deliveries.inc({ transport: "direct", result: "ok" });
            }
        }
    }

    /** On shutdown: take this pod's sockets out of their rooms (other members see them leave). */
    async detachAll(): Promise<void> {
        for (const id of [...this.local.keys()]) {
            await this.detachLocal(id).catch((err: Error) => this.log.warn("detach_failed", { connectionId: id, error: err }));
        }
    }
}
