/**
 * Watch Party messages. Clients send `{ "action": ... }` (the WebSocket API selects routes on
 * `$request.body.action`; every action goes to `$default`); the service sends `{ "type": ... }`.
 */
export const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const PLAYBACK_ACTIONS = ["play", "pause", "seek"] as const;
export type PlaybackAction = (typeof PLAYBACK_ACTIONS)[number];

export type ClientMessage = { action: "join"; room: string } | { action: "leave" } | { action: PlaybackAction; position?: number };

export type ServerEvent =
    | { type: "joined" | "left"; room: string; userId: string }
    | { type: PlaybackAction; room: string; userId: string; position?: number; sentAt: string }
    | { type: "error"; message: string };

export class ProtocolError extends Error {}

/** Validate a client frame; the error message is safe to send back to that client. */
export function parseClientMessage(raw: string): ClientMessage {
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch {
        throw new ProtocolError("message is not JSON");
    }
    if (typeof value !== "object" || value === null || typeof (value as { action?: unknown }).action !== "string") {
        throw new ProtocolError('message must be an object with an "action"');
    }
    const msg = value as { action: string; room?: unknown; position?: unknown };
    switch (msg.action) {
        case "join":
            if (typeof msg.room !== "string" || !ROOM_NAME.test(msg.room)) {
                throw new ProtocolError("join needs a room of 1-64 letters, digits, - or _");
            }
            return { action: "join", room: msg.room };
        case "leave":
            return { action: "leave" };
        case "play":
        case "pause":
        case "seek": {
            const position = msg.position;
            if (position !== undefined && (typeof position !== "number" || !Number.isFinite(position) || position < 0)) {
                throw new ProtocolError("position must be a non-negative number of seconds");
            }
            if (msg.action === "seek" && position === undefined) {
                throw new ProtocolError("seek needs a position");
            }
            return { action: msg.action, position };
        }
        default:
            throw new ProtocolError(`unknown action; use join, leave, ${PLAYBACK_ACTIONS.join(", ")}`);
    }
}
