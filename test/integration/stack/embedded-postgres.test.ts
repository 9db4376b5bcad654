// The Postgres that `npm run stack:up` starts where none is installed (STACK_POSTGRES=embedded
// forces it): the embedded PostgreSQL 15 binaries from node_modules, detached with pg_ctl. Here it
// gets a data directory and port of its own, so the test never touches a developer's stack, and
// the service's migrations and a stored event's round trip run on it.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readConfig } from '../../../src/runtime/config.ts';
import { generateNewEvent } from '../../../src/apps/producer/generate-event.ts';
import {
  embeddedPostgresPort,
  startEmbeddedPostgres,
  stopEmbeddedPostgres,
} from '../../../stack/postgres/embedded-postgres.ts';
import { ensurePostgresRunning } from '../../../stack/postgres/local-postgres.ts';
import { isTcpPortOpen } from '../../../stack/wait-for-port.ts';
import { freePort } from '../../../stack/free-port.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { testServices } from '../../support/services.ts';

describe('the embedded Postgres (STACK_POSTGRES=embedded)', function () {
  this.timeout(180_000);
  let dir: string;
  let port: number;
  let harness: PipelineHarness | undefined;

  before(async () => {
    expect(readConfig({ STACK_POSTGRES: 'embedded' }).stackPostgres).to.equal('embedded');
    dir = await mkdtemp(join(tmpdir(), 'embedded-pg-'));
    port = await freePort();
    await startEmbeddedPostgres({ dir, host: '127.0.0.1', port, superuser: 'postgres' });
  });
  after(async () => {
    await harness?.close();
    await stopEmbeddedPostgres(dir).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('runs detached on its port, PostgreSQL 15 as docker-compose has', async () => {
    expect(await embeddedPostgresPort(dir)).to.equal(port);
    expect(await isTcpPortOpen('127.0.0.1', port)).to.be.true;
  });

  it('takes the migrations and stores an event that reads back equal', async () => {
    const { kafkaBrokers } = await testServices();
    harness = await createPipelineHarness({
      services: { databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`, kafkaBrokers },
    });
    const version = await harness.db.raw<{ rows: { v: string }[] }>(
      "SELECT current_setting('server_version_num') AS v",
    );
    expect(Number(version.rows[0]?.v) / 10_000).to.be.within(15, 15.99);
    await harness.startConsumer();
    const event = generateNewEvent();
    await harness.produceEvents([event]);
    await harness.waitForRows(1);
    const row = await harness.db('product_events').where({ event_id: event.eventId }).first<{
      product_id: string;
      price: string;
      quantity: number;
    }>();
    expect(row).to.include({
      product_id: event.productId,
      price: event.price.toFixed(2),
      quantity: event.quantity,
    });
  });

  it('stops with pg_ctl, and says it stopped only when it ran', async () => {
    await harness?.close();
    harness = undefined;
    expect(await stopEmbeddedPostgres(dir)).to.be.true;
    expect(await isTcpPortOpen('127.0.0.1', port)).to.be.false;
    expect(await stopEmbeddedPostgres(dir)).to.be.false;
  });

  it('refuses STACK_POSTGRES=embedded on a port another server holds, naming the port', async () => {
    const other: Server = createServer();
    const otherPort = await freePort();
    await new Promise<void>((resolve) => other.listen(otherPort, '127.0.0.1', resolve));
    try {
      const url = `postgres://postgres@127.0.0.1:${otherPort}/postgres`;
      const error = await ensurePostgresRunning(url, 'embedded').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.include(`127.0.0.1:${otherPort}`);
      // auto mode uses whatever answers.
      expect((await ensurePostgresRunning(url, 'auto')).started).to.be.false;
    } finally {
      other.close();
    }
  });
});
