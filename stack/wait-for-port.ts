import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const pollIntervalMs = 250;

/** One connection attempt; never rejects. */
export function isTcpPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves once a TCP connection to host:port succeeds. Rejects when timeoutMs passes, or as soon as
 * isAlive() returns false, so a server that crashed during start-up is reported at once instead of
 * after the whole timeout.
 */
export async function waitForTcpPort(
  host: string,
  port: number,
  timeoutMs: number,
  isAlive?: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (isAlive && !(await isAlive())) {
      throw new Error(`process exited before ${host}:${port} accepted connections`);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new Error(`${host}:${port} did not accept connections within ${timeoutMs} ms`);
    }
    if (await isTcpPortOpen(host, port, Math.min(1000, remaining))) return;
    await sleep(Math.min(pollIntervalMs, Math.max(0, deadline - Date.now())));
  }
}
