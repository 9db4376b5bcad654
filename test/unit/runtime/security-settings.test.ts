// KAFKA_SSL*, KAFKA_SASL*, the Postgres password files and libpq's TLS settings: read at start,
// refused with a line naming the variable, and the secrets in no printable form of the Config.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'chai';
import { ConfigError, readConfig } from '../../../src/runtime/config.ts';
import { redactValue } from '../../../src/runtime/redact.ts';
import { pgConnection } from '../../../src/storage/pg-connection.ts';

const dir = mkdtempSync(join(tmpdir(), 'security-settings-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const keyPem = '-----BEGIN PRIVATE KEY-----\nkey-material-0451\n-----END PRIVATE KEY-----\n';
const password = 'hunter2-kafka-0451';

function refusal(env: Record<string, string>): string {
  try {
    readConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  return expect.fail('expected a ConfigError');
}

describe('Kafka security settings', () => {
  it('are off by default: plaintext, no SASL', () => {
    expect(readConfig({}).kafkaSecurity).to.deep.equal({});
  });

  it('read the SASL password from its file, one trailing newline dropped', () => {
    const { sasl } = readConfig({
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'ingest',
      KAFKA_SASL_PASSWORD_FILE: file('kafka-password', `${password}\n`),
    }).kafkaSecurity;
    expect(sasl?.mechanism).to.equal('scram-sha-512');
    expect(sasl?.password.reveal()).to.equal(password);
  });

  it('read the CA, certificate and key files for mutual TLS, hostname checked by default', () => {
    const { tls } = readConfig({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: file('ca.pem', pem),
      KAFKA_SSL_CERT_FILE: file('client.pem', pem),
      KAFKA_SSL_KEY_FILE: file('client.key', keyPem),
    }).kafkaSecurity;
    expect(tls?.ca).to.equal(pem);
    expect(tls?.key?.reveal()).to.equal(keyPem);
    expect(tls?.verifyHostname).to.equal(true);
  });

  it('keep the password and the key out of JSON, inspect and the logger walk of the Config', () => {
    const config = readConfig({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CERT_FILE: file('client2.pem', pem),
      KAFKA_SSL_KEY_FILE: file('client2.key', keyPem),
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'ingest',
      KAFKA_SASL_PASSWORD: password,
      DATABASE_PASSWORD_FILE: file('pg-password', 'pg-secret-0451'),
    });
    for (const shown of [
      JSON.stringify(config),
      inspect(config, { depth: 10, showHidden: true }),
      JSON.stringify(redactValue(config)),
      `${String(config.kafkaSecurity.sasl?.password)}`,
    ]) {
      expect(shown).not.to.include(password);
      expect(shown).not.to.include('key-material-0451');
      expect(shown).not.to.include('pg-secret-0451');
    }
  });

  const refusals: [string, Record<string, string>, RegExp][] = [
    [
      'an unknown mechanism',
      { KAFKA_SASL_MECHANISM: 'md5' },
      /KAFKA_SASL_MECHANISM must be one of/,
    ],
    [
      'OAUTHBEARER, not offered',
      { KAFKA_SASL_MECHANISM: 'oauthbearer' },
      /OAUTHBEARER is not offered/,
    ],
    [
      'a mechanism without a user',
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'x' },
      /KAFKA_SASL_USERNAME is required/,
    ],
    [
      'a password given twice',
      {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'x',
        KAFKA_SASL_PASSWORD_FILE: '/nope',
      },
      /one of KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE/,
    ],
    [
      'a password without a mechanism',
      { KAFKA_SASL_PASSWORD: 'x' },
      /KAFKA_SASL_PASSWORD is set but KAFKA_SASL_MECHANISM is not/,
    ],
    [
      'a missing password file',
      {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: join(dir, 'absent'),
      },
      /KAFKA_SASL_PASSWORD_FILE names .* cannot be read \(ENOENT\)/,
    ],
    [
      'a CA with TLS off',
      { KAFKA_SSL_CA_FILE: '/ca.pem' },
      /KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true/,
    ],
    [
      'a certificate without its key',
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/c.pem' },
      /go together/,
    ],
    ['KAFKA_SSL=yes', { KAFKA_SSL: 'yes' }, /KAFKA_SSL must be true or false/],
    [
      'a CA file that is not PEM',
      { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: file('not-pem', 'hello') },
      /which is not PEM/,
    ],
  ];
  for (const [what, env, message] of refusals) {
    it(`refuse ${what}`, () => {
      const line = refusal(env);
      expect(line).to.match(message);
      expect(line).not.to.include('x"');
    });
  }
});

describe('Postgres security settings', () => {
  const url = 'postgres://writer@db.internal:5432/shop';

  it('read DATABASE_PASSWORD_FILE and hand it to pg, not in the URL', () => {
    const config = readConfig({
      DATABASE_URL: url,
      DATABASE_PASSWORD_FILE: file('pw', 's3cret\n'),
    });
    expect(config.database.password?.reveal()).to.equal('s3cret');
    expect(config.databaseUrl).to.equal(url);
    expect(pgConnection(config.database)).to.include({
      password: 's3cret',
      user: 'writer',
      host: 'db.internal',
      port: 5432,
      database: 'shop',
    });
  });

  it('give migrations that share DATABASE_URL its password file too', () => {
    const config = readConfig({ DATABASE_URL: url, DATABASE_PASSWORD_FILE: file('pw2', 'shared') });
    expect(config.migrationsDatabase.password?.reveal()).to.equal('shared');
  });

  it('refuse a password both in the URL and in a file', () => {
    expect(
      refusal({ DATABASE_URL: 'postgres://w:pw@db/shop', DATABASE_PASSWORD_FILE: '/x' }),
    ).to.match(/give the password in one place/);
  });

  it('verify-full from the URL: the CA file read, the chain and the host name checked', () => {
    const ca = file('pg-ca.pem', pem);
    const config = readConfig({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${ca}` });
    const { ssl } = pgConnection(config.database);
    expect(ssl).to.deep.equal({ ca: pem });
  });

  it("libpq's PGSSLMODE and PGSSLROOTCERT when the URL has none", () => {
    const config = readConfig({
      DATABASE_URL: url,
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: file('pg-ca2.pem', pem),
    });
    expect(pgConnection(config.database).ssl).to.deep.equal({ ca: pem });
  });

  it('require: encrypted without checking, as libpq does', () => {
    const config = readConfig({ DATABASE_URL: `${url}?sslmode=require` });
    expect(pgConnection(config.database).ssl).to.deep.equal({ rejectUnauthorized: false });
  });

  it('verify-ca: the chain checked, not the name', () => {
    const config = readConfig({
      DATABASE_URL: `${url}?sslmode=verify-ca&sslrootcert=${file('c3.pem', pem)}`,
    });
    const { ssl } = pgConnection(config.database);
    expect(ssl).to.have.property('ca', pem);
    expect(ssl).not.to.have.property('rejectUnauthorized');
    expect(ssl).to.have.property('checkServerIdentity');
  });

  it('no TLS without an sslmode; other URL parameters pass through', () => {
    const config = readConfig({ DATABASE_URL: `${url}?application_name=ingest` });
    expect(pgConnection(config.database)).to.include({ ssl: false, application_name: 'ingest' });
  });

  it('refuse prefer, which pg cannot honour', () => {
    expect(refusal({ DATABASE_URL: `${url}?sslmode=prefer` })).to.match(
      /sslmode in the URL: sslmode must be one of/,
    );
  });
});
