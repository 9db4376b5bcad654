// A TCP port nobody listens on, for the tests of "the server is not there". A free port from
// `freePort` is not enough: it stays unbound while the test runs, so another suite's private
// broker or database may bind it meanwhile (CI saw a consumer's "no Kafka broker answers" read
// "Connection closed" instead of ECONNREFUSED: a TLS listener had taken the port). Below 1024 no
// unprivileged process can bind, our tests and stacks never pick there, and the system never hands
// those ports to outgoing connections; the one picked is checked to refuse on both loopbacks.
import { connect } from 'node:net';

/** Ports of services rarely run anywhere; tried in order. */
const candidates = [9, 13, 17, 19, 37, 79, 113, 119, 512, 513, 514, 515, 540, 1000, 1001, 1023];

function refuses(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ECONNREFUSED');
    });
  });
}

export async function closedPort(): Promise<number> {
  for (const port of candidates) {
    if ((await refuses('127.0.0.1', port)) && (await refuses('::1', port))) return port;
  }
  throw new Error(`every candidate port has a listener: ${candidates.join(', ')}`);
}
