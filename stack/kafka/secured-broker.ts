// A private broker with the listeners a managed cluster offers: SASL_SSL with SCRAM-SHA-512 (users
// added when the storage is formatted, as KRaft requires) and SSL with client certificates
// required (mutual TLS), both on a certificate of a throwaway CA, beside a PLAINTEXT listener that
// carries the broker's own traffic. The security tests and `npm run bench -- --security` (the
// same broker through either listener) start one. The JVM is this process's child: killed at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKafkaJars, defaultKafkaBrokerOptions } from './broker.ts';
import { runStorageTool } from './kraft-storage.ts';
import { renderServerProperties } from './server-properties.ts';
import { waitForTcpPort } from '../wait-for-port.ts';
import { freePort } from '../free-port.ts';
import { createThrowawayCa, type IssuedCertificate } from '../throwaway-ca.ts';

export interface SecuredKafka {
  /** localhost:<port>: SASL_SSL, SCRAM-SHA-512. */
  readonly saslSslBroker: string;
  /** localhost:<port>: SSL with ssl.client.auth=required. */
  readonly mtlsBroker: string;
  readonly plaintextBroker: string;
  readonly caFile: string;
  /** Signed by a CA the broker does not know. */
  readonly untrustedCaFile: string;
  readonly client: IssuedCertificate;
  readonly scramUser: string;
  readonly scramPassword: string;
  /** A file holding scramPassword and a newline, as a mounted Secret may. */
  readonly scramPasswordFile: string;
  destroy(): Promise<void>;
}

export async function startSecuredKafka(): Promise<SecuredKafka> {
  const dir = await mkdtemp(join(tmpdir(), 'secured-kafka-'));
  const ca = await createThrowawayCa(dir, 'ca');
  const untrusted = await createThrowawayCa(dir, 'untrusted-ca');
  const server = await ca.issue('broker');
  const client = await ca.issue('ingest-client', 'DNS:ingest-client');
  const keystore = join(dir, 'broker-keystore.pem');
  await writeFile(
    keystore,
    `${await readFile(server.key, 'utf8')}${await readFile(server.cert, 'utf8')}`,
  );
  const scramUser = 'ingest';
  const scramPassword = `scram-${Math.random().toString(36).slice(2)}`;
  const scramPasswordFile = join(dir, 'kafka-password');
  await writeFile(scramPasswordFile, `${scramPassword}\n`);

  const [port, controllerPort, saslPort, mtlsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dataDir = join(dir, 'data');
  const secured: Record<string, string> = {
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort},SASL_SSL://localhost:${saslPort},MTLS://localhost:${mtlsPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port},SASL_SSL://localhost:${saslPort},MTLS://localhost:${mtlsPort}`,
    'listener.security.protocol.map':
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,MTLS:SSL',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config':
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': keystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': ca.caFile,
    'listener.name.mtls.ssl.client.auth': 'required',
  };
  const properties = join(dir, 'server.properties');
  await writeFile(
    properties,
    renderServerProperties({ dataDir, port, controllerPort }) +
      Object.entries(secured)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n') +
      '\n',
  );
  const { libsDir } = await ensureKafkaJars(defaultKafkaBrokerOptions);
  const classpath = join(libsDir, '*');
  const clusterId = (await runStorageTool(libsDir, ['random-uuid'])).trim().split('\n').pop() ?? '';
  await runStorageTool(libsDir, [
    'format',
    '-t',
    clusterId,
    '-c',
    properties,
    '--add-scram',
    `SCRAM-SHA-512=[name=${scramUser},password=${scramPassword}]`,
  ]);
  const log = join(dir, 'broker.log');
  const child: ChildProcess = spawn(
    'java',
    ['-Xms128m', '-Xmx384m', '-XX:+UseG1GC', '-cp', classpath, 'kafka.Kafka', properties],
    { stdio: ['ignore', 'ignore', 'ignore'], cwd: dir },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (const each of [port, saslPort, mtlsPort])
      await waitForTcpPort('127.0.0.1', each, 120_000, () => child.exitCode === null);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`the secured broker did not start (see ${log})`, { cause: error });
  }
  return {
    saslSslBroker: `localhost:${saslPort}`,
    mtlsBroker: `localhost:${mtlsPort}`,
    plaintextBroker: `127.0.0.1:${port}`,
    caFile: ca.caFile,
    untrustedCaFile: untrusted.caFile,
    client,
    scramUser,
    scramPassword,
    scramPasswordFile,
    async destroy() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
