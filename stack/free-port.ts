// A TCP port nobody listens on right now, for private servers (the tests' brokers and databases,
// the bench's secured broker). Picked below the system's ephemeral range: a port the system hands
// out (listen on port 0) is also what it hands the next outgoing connection, and with suites
// running side by side, with hundreds of client connections, one took a broker's port between
// the pick and the broker's bind (or between a broker's stop and its restart on the same port).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

/** The lowest port we pick: above the registered services most machines run. */
const lowestPort = 20_000;
/** Where ephemeral ports begin when the system does not say (IANA's range, macOS's default). */
const ianaEphemeralStart = 49_152;

async function ephemeralRangeStart(): Promise<number> {
  // Linux: "32768\t60999"; elsewhere the file is absent.
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
  const start = Number.parseInt(range.trim().split(/\s+/)[0] ?? '', 10);
  return Number.isInteger(start) && start > lowestPort + 1_000 ? start : ianaEphemeralStart;
}

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address ? address.port : undefined),
      );
    });
  });
}

export async function freePort(): Promise<number> {
  const below = await ephemeralRangeStart();
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = await listenOnce(randomInt(lowestPort, below));
    if (port !== undefined) return port;
  }
  const any = await listenOnce(0); // every pick taken: the system's choice, as before
  if (any === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return any;
}
