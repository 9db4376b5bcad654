// The consumer's HTTP endpoint for operators: /healthz (the process answers), /readyz (in the
// group with partitions, database answering, no partition stuck (named in `stuckPartitions`), no
// partition stopped at an unreadable record batch), /metrics (Prometheus text format).
import { createServer, type Server } from 'node:http';
import type { Knex } from 'knex';
import type { ConsumerStatusTracker } from './consumer-status.ts';
import type { IngestMetrics } from './ingest-metrics.ts';

export interface OpsServerDependencies {
  readonly host: string;
  readonly port: number;
  readonly db: Knex;
  readonly status: ConsumerStatusTracker;
  readonly metrics: IngestMetrics;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

const databaseCheckTimeoutMs = 2_000;

async function databaseAnswers(db: Knex): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), databaseCheckTimeoutMs);
  });
  const query = db.raw('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function readiness(deps: Pick<OpsServerDependencies, 'db' | 'status'>) {
  const status = deps.status.snapshot();
  const database = await databaseAnswers(deps.db);
  const problems = [
    ...(status.inGroup ? [] : ['not in the consumer group']),
    ...(status.partitions.length > 0 ? [] : ['no partitions assigned']),
    ...(database ? [] : ['database does not answer']),
    ...status.stuckPartitions.map(
      ({ topic, partition, lag, since }) =>
        `partition ${partition} of ${topic} stuck: ${lag} behind, no progress since ${since}`,
    ),
    ...status.stoppedPartitions.map(
      ({ partition, offset }) =>
        `partition ${partition} stopped at offset ${offset}: a record batch cannot be read (KAFKA_BATCH_UNREADABLE)`,
    ),
  ];
  return { ready: problems.length === 0, problems, ...status, database };
}

export function startOpsServer(deps: OpsServerDependencies): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    const send = (code: number, body: string, type = 'application/json') => {
      response.writeHead(code, { 'content-type': type }).end(body);
    };
    const route = async () => {
      switch (request.url) {
        case '/healthz':
          return send(200, JSON.stringify({ status: 'ok' }));
        case '/readyz': {
          const result = await readiness(deps);
          return send(result.ready ? 200 : 503, JSON.stringify(result));
        }
        case '/metrics':
          return send(
            200,
            await deps.metrics.registry.metrics(),
            deps.metrics.registry.contentType,
          );
        default:
          return send(404, JSON.stringify({ error: 'not found' }));
      }
    };
    route().catch(() => send(500, JSON.stringify({ error: 'internal error' })));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : deps.port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
