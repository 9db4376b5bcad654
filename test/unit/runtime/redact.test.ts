// The redaction policy (src/runtime/redact.ts), with generated inputs, through the logger in every
// format it writes: a password in any URL shape, a named secret, a private key and payload bytes
// never reach a line; an address, SQL text and a library's message reach it exactly as written.
// The pretty format is driven explicitly: under mocha stdout is no terminal, so `auto` is JSON.
// Settings (runs, seed) in property-runs.ts.
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import winston from 'winston';
import type { LogFormat } from '../../../src/runtime/config.ts';
import { createLogger, errorFields } from '../../../src/runtime/logger.ts';
import { redact, redactValue } from '../../../src/runtime/redact.ts';
import { propertyParameters } from '../../support/property-runs.ts';

const runs = propertyParameters(100);
const formats: readonly LogFormat[] = ['json', 'pretty'];

/** A service logger of the given format whose lines the test reads instead of the console. */
function capturingLogger(format: LogFormat) {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  const logger = createLogger('debug', format);
  logger.clear().add(new winston.transports.Stream({ stream }));
  return { logger, lines, output: () => lines.join('') };
}

/** Text around a value, as library messages have it; never a Z, so a secret starting with Zq
 * appears in the output only if the redactor let it through. */
const prose = fc.string({
  unit: fc.constantFrom(..."abcxyzECONNREFUSED _-,;!?'()"),
  maxLength: 30,
});
const port = fc.integer({ min: 1, max: 65_535 });
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);

/** A password as it is written in a URL: percent-encoded, or raw with the characters a user does
 * type unencoded (@ and : among them). */
const secret = fc
  .oneof(
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
    fc.string({ unit: fc.constantFrom(..."aZ9@:!$&'()*+,;=~-._"), maxLength: 20 }),
  )
  .map((body) => `Zq${body}`);

const ipv4WithOptionalPort = fc
  .tuple(fc.ipV4(), fc.option(port, { nil: undefined }))
  .map(([ip, p]) => (p === undefined ? ip : `${ip}:${p}`));
// Plain, bracketed, bracketed with a port, and as Node's net errors write it (::1:45999).
const ipv6Forms = fc
  .tuple(fc.ipV6(), port, fc.constantFrom('plain', 'bracketed', 'bracketed port', 'node port'))
  .map(([ip, p, form]) =>
    form === 'plain'
      ? ip
      : form === 'bracketed'
        ? `[${ip}]`
        : form === 'bracketed port'
          ? `[${ip}]:${p}`
          : `${ip}:${p}`,
  );
const hostWithPort = fc.tuple(fc.domain(), port).map(([host, p]) => `${host}:${p}`);
const address = fc.oneof(ipv4WithOptionalPort, ipv6Forms, hostWithPort, fc.domain());

const urlHost = fc.oneof(
  fc.tuple(
    fc.oneof(
      fc.domain(),
      fc.ipV4(),
      fc.ipV6().map((ip) => `[${ip}]`),
    ),
    fc.option(port),
  ),
  // libpq's multi-host form
  fc.tuple(fc.domain(), port, fc.domain(), port).map(([a, p, b, q]) => [`${a}:${p},${b}`, q]),
);

/** A URL holding a password in one of the shapes users write: user:password@, :password@, or a
 * password parameter of the query; with any host form, port, path and query. */
const urlWithPassword = fc
  .record({
    scheme: fc.constantFrom('postgres', 'postgresql', 'kafka', 'http', 'https', 'mongodb+srv'),
    user: fc.option(name, { nil: '' }),
    password: secret,
    host: urlHost,
    path: fc.constantFrom('', '/', '/coding_task'),
    query: fc.constantFrom('', '?sslmode=require', '?application_name=ingest&connect_timeout=5'),
    shape: fc.constantFrom('userinfo', 'query', 'query sslpassword'),
  })
  .map(({ scheme, user, password, host: [host, p], path, query, shape }) => {
    const authority = `${host}${p === null ? '' : `:${p}`}`;
    if (shape === 'userinfo') {
      return { password, url: `${scheme}://${user}:${password}@${authority}${path}${query}` };
    }
    const parameter = shape === 'query' ? 'password' : 'sslpassword';
    const separator = query === '' ? '?' : '&';
    const userinfo = user === '' ? '' : `${user}@`;
    return {
      password,
      url: `${scheme}://${userinfo}${authority}${path || '/'}${query}${separator}${parameter}=${password}`,
    };
  });

/** SQL as knex and the storage modules write it, including what looks like an address to a
 * pattern: casts ($1::json), times, inet literals. Names of secrets are left out on purpose: a
 * `token=value` is redacted wherever it stands. */
const sqlToken = fc.oneof(
  fc.constantFrom(
    'insert into',
    'select',
    'from',
    'where',
    'on conflict (event_id) do update set',
    'values',
    '(',
    ')',
    ',',
    '=',
    '::json',
    '::jsonb',
    '::numeric(12,2)',
    '::timestamptz',
    "'10.0.0.1'::inet",
    "'fe80::1'",
    "'12:30:00'::time",
    "'127.0.0.1:5432'",
    'now()',
    'coalesce',
    'is distinct from',
    'excluded.',
    '"product_events"',
  ),
  name.filter((n) => !/passw|secret|token|passphrase/i.test(n)),
  fc.integer({ min: 1, max: 65_535 }).map((n) => `$${n}`),
  fc.integer({ min: 1, max: 65_535 }).map((n) => `$${n}::json`),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);
const sql = fc
  .array(fc.tuple(sqlToken, fc.constantFrom(' ', '', '\n', '\n  ')), {
    minLength: 1,
    maxLength: 40,
  })
  .map((parts) => parts.map(([token, gap]) => `${token}${gap}`).join(''));

describe('the redaction policy, in every log format', function () {
  this.timeout(30_000); // a few hundred generated lines, on a shared machine under load
  for (const format of formats) {
    describe(`LOG_FORMAT=${format}`, () => {
      it('never writes the password of a URL, in any shape, wherever the URL stands', () => {
        fc.assert(
          fc.property(urlWithPassword, prose, ({ url, password }, words) => {
            const { logger, lines, output } = capturingLogger(format);
            const error = new Error(`connect to ${url} failed: ${words}`);
            logger.warn(`cannot reach ${url} ${words}`, {
              url,
              nested: { list: [url] },
              ...errorFields(error),
            });
            logger.error(error);
            expect(lines).to.have.length(2);
            expect(output()).to.not.include(password);
          }),
          runs,
        );
      });

      it('never writes a secret a name says is one, nor a private key, nor payload bytes', () => {
        const base64 = fc.base64String({ minLength: 8, maxLength: 200 }).map((b) => `Zq${b}`);
        fc.assert(
          fc.property(secret, base64, name, (value, keyBody, user) => {
            const { logger, output } = capturingLogger(format);
            const pem = `-----BEGIN PRIVATE KEY-----\n${keyBody}\n-----END PRIVATE KEY-----`;
            logger.info(`KAFKA_SASL_PASSWORD=${value} client_secret="${value}" ${pem}`, {
              sasl: { mechanism: 'scram-sha-512', username: user, password: value },
              accessToken: value,
              config: { sslKey: `${pem.slice(0, 40)}` },
              quoted: JSON.stringify({ password: value, user }),
              value: Buffer.from(`{"eventId":"${value}"}`),
            });
            const out = output();
            expect(out).to.not.include(value);
            expect(out).to.not.include(keyBody.slice(0, 30));
            expect(out).to.include(user); // the user name is no secret
          }),
          runs,
        );
      });

      it('writes addresses, host names and ports as configured', () => {
        fc.assert(
          fc.property(address, prose, (where, words) => {
            const { logger, output } = capturingLogger(format);
            const refused = Object.assign(new Error(`connect ECONNREFUSED ${where}`), {
              code: 'ECONNREFUSED',
            });
            logger.warn(`starting the local Kafka broker on ${where} ${words}`, {
              brokers: [where],
              url: `postgres://writer:Zqpw@${where}/coding_task`,
              ...errorFields(refused),
            });
            const out = output();
            expect(out).to.include(`broker on ${where}`);
            expect(out).to.include(`ECONNREFUSED ${where}`);
            expect(out).to.include(`writer:<redacted>@${where}/coding_task`);
          }),
          runs,
        );
      });

      it('writes SQL text unchanged, in the message and in a field', () => {
        fc.assert(
          fc.property(sql, (text) => {
            const { logger, lines } = capturingLogger(format);
            logger.debug(text, { sql: text, ...errorFields(new Error(`syntax error in ${text}`)) });
            const [line = ''] = lines;
            if (format === 'json') {
              expect(JSON.parse(line)).to.nested.include({
                message: text,
                sql: text,
                'err.message': `syntax error in ${text}`,
              });
            } else {
              expect(line).to.include(` ${text} {`);
              expect(line).to.include(JSON.stringify(text));
            }
          }),
          runs,
        );
      });
    });
  }
});

describe('redact', () => {
  it('leaves library messages and stack frames exactly as they were', () => {
    for (const text of [
      'connect ECONNREFUSED 127.0.0.1:5432',
      'connect ECONNREFUSED ::1:45999',
      'getaddrinfo ENOTFOUND kafka.internal',
      'Connection error: connect ECONNREFUSED [::1]:9092',
      'insert into "product_events" ("payload") values ($1::json) on conflict do nothing',
      'The group is rebalancing, so a rejoin is needed',
      'Unexpected token } in JSON at position 12',
      'retrying at 09:12:00 after 2387 ms',
      '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:2021:16)',
      '    at async retryTransient (file:///work/src/runtime/retry-transient.ts:53:9)',
    ]) {
      expect(redact(text)).to.equal(text);
    }
  });

  it('keeps the user, host, port and path of a URL, only the password goes', () => {
    expect(
      redact('postgres://writer:s3cr%40t@db.internal:6432/coding_task?sslmode=require'),
    ).to.equal('postgres://writer:<redacted>@db.internal:6432/coding_task?sslmode=require');
    expect(redact("host=db.internal port=5432 password='a b' user=writer")).to.equal(
      'host=db.internal port=5432 password=<redacted> user=writer',
    );
  });

  it('is idempotent and quick on any text, hostile to its patterns or not', () => {
    const hostile = fc.string({
      unit: fc.constantFrom(...'0123456789abcdef:.[]%@/=&"\'-_ \npasswordtokenBEGIN PRIVATE KEY'),
      maxLength: 2_000,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 500 }), hostile), (text) => {
        const startedAt = performance.now();
        const once = redact(text);
        expect(performance.now() - startedAt, 'ms').to.be.below(50);
        expect(redact(once)).to.equal(once);
      }),
      runs,
    );
  });
});

describe('redactValue', () => {
  it('redacts at any depth, in a copy, leaving the original as it was', () => {
    const original = {
      err: { message: 'connect to postgres://w:pw@10.1.2.3:5432/db refused' },
      list: [{ token: 'abc' }],
    };
    const copy = redactValue(original);
    expect(copy).to.deep.equal({
      err: { message: 'connect to postgres://w:<redacted>@10.1.2.3:5432/db refused' },
      list: [{ token: '<redacted>' }],
    });
    expect(original.list[0]?.token).to.equal('abc');
  });

  it("turns an Error into its name, message and stack (a pg error's detail quotes the row)", () => {
    const error = Object.assign(new Error('duplicate key'), { detail: 'Key (x)=(data)' });
    const copy = redactValue({ error }) as { error: Record<string, unknown> };
    expect(Object.keys(copy.error).sort()).to.deep.equal(['message', 'name', 'stack']);
  });

  it('turns message bytes into their length', () => {
    expect(redactValue({ value: Buffer.from('{"eventId":"e1"}') })).to.deep.equal({
      value: '<16 bytes>',
    });
  });
});
