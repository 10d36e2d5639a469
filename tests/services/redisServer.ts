/**
 * A real redis-server for the services' tests: started from the Debian package's binary on 127.0.0.1
 * with a free port and no persistence, awaited until it answers PING, stopped by its process id.
 */
import { ChildProcess, spawn } from "child_process";
import * as net from "net";

export interface RedisServer {
    url: string;
    port: number;
    stop(): Promise<void>;
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

function ping(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const sock = net.connect(port, "127.0.0.1");
        sock.setTimeout(200);
        sock.once("connect", () => sock.write("PING\r\n"));
        sock.once("data", (d) => {
            sock.destroy();
            resolve(d.toString().startsWith("+PONG"));
        });
        sock.once("error", () => resolve(false));
        sock.once("timeout", () => {
            sock.destroy();
            resolve(false);
        });
    });
}

export async function startRedis(): Promise<RedisServer> {
    const port = await freePort();
    const binary = process.env.REDIS_SERVER_BIN ?? "redis-server";
    const child: ChildProcess = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"], {
        stdio: ["ignore", "ignore", "pipe"],
    });
    let spawnError: Error | undefined;
    child.once("error", (err) => (spawnError = err));
    const deadline = Date.now() + 5000;
    while (!(await ping(port))) {
        if (spawnError) {
            throw new Error(`cannot start ${binary} (${spawnError.message}); install it with: apt-get install -y redis-server (.ci/run does)`);
        }
        if (child.exitCode !== null || Date.now() > deadline) {
            child.kill("SIGKILL");
            throw new Error(`${binary} on port ${port} did not answer PING within 5 s (exit code ${child.exitCode})`);
        }
        await new Promise((r) => setTimeout(r, 20));
    }
    const stop = () =>
        new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.pid === undefined) {
                resolve();
                return;
            }
            child.once("exit", () => resolve());
            process.kill(child.pid, "SIGTERM");
        });
    return { url: `redis://127.0.0.1:${port}`, port, stop };
}
