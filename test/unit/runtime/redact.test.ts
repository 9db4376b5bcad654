// The redactor, with generated addresses, hosts and URLs in generated text: whatever a library
// message wraps around them, none reaches the log. Settings (runs, seed) in property-runs.ts.
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import winston from 'winston';
import { createLogger, errorFields } from '../../../src/runtime/logger.ts';
import { redact, redactValue } from '../../../src/runtime/redact.ts';
import { propertyParameters } from '../../support/property-runs.ts';

const runs = propertyParameters(300);

/** Text around an address, as library messages have it: words and punctuation, never digits,
 * dots or colons, so a test never depends on text that merges with the address. */
const prose = fc.string({
  unit: fc.constantFrom(...'abcxyzECONNREFUSED _-,;!?"\'()='),
  maxLength: 30,
});
const separator = fc.constantFrom(' ', '(', ')', '"', "'", ', ', '\n', '\t', '=', '[');
const port = fc.integer({ min: 1, max: 65_535 });
const around = (inner: fc.Arbitrary<string>) =>
  fc
    .tuple(prose, separator, inner, fc.constantFrom(' ', ')', '"', "'", ', ', '\n', ''), prose)
    .map(([before, open, value, close, after]) => ({
      value,
      text: `${before}${open}${value}${close}${after}`,
    }));

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

describe('redact', () => {
  it('removes every IPv4 address, with its port', () => {
    fc.assert(
      fc.property(around(ipv4WithOptionalPort), ({ value, text }) => {
        expect(redact(text)).to.not.include(value.split(':')[0]);
      }),
      runs,
    );
  });

  it('removes every IPv6 address, in every form (compressed, IPv4 tail, brackets, port)', () => {
    fc.assert(
      fc.property(around(ipv6Forms), ({ value, text }) => {
        const out = redact(text);
        expect(out).to.not.include(value);
        // Nor a digit, dot or colon of it (the surrounding prose has none), e.g. of a port.
        expect(out.replace(/<ip>/g, '')).to.not.match(/[\d.:]/);
        expect(out).to.include('<ip>');
      }),
      runs,
    );
  });

  it('removes every host:port', () => {
    fc.assert(
      fc.property(around(hostWithPort), ({ value, text }) => {
        expect(redact(text)).to.not.include(value);
      }),
      runs,
    );
  });

  it('removes the credentials, host and port of a URL, keeping its scheme and path', () => {
    const secret = fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent);
    const host = fc.oneof(
      fc.domain().map((name) => ({ name, placeholder: '<host>' })),
      fc.ipV4().map((name) => ({ name, placeholder: '<ip>' })),
      fc.ipV6().map((name) => ({ name: `[${name}]`, placeholder: '<ip>' })),
    );
    const scheme = fc.constantFrom('postgres', 'postgresql', 'http', 'https', 'kafka');
    fc.assert(
      fc.property(scheme, secret, secret, host, port, (s, user, password, h, p) => {
        const url = `${s}://${user}:${password}@${h.name}:${p}/coding_task`;
        expect(redact(`connect to ${url} failed`)).to.equal(
          `connect to ${s}://<credentials>@${h.placeholder}/coding_task failed`,
        );
      }),
      runs,
    );
  });

  it('leaves text without addresses alone: messages, clock times, stack frames', () => {
    fc.assert(
      fc.property(prose, (text) => {
        expect(redact(text)).to.equal(text);
      }),
      runs,
    );
    for (const text of [
      'The group is rebalancing, so a rejoin is needed',
      'Response Heartbeat(key: 12, version: 3)',
      'retrying at 09:12:00 after 2387 ms',
      '2026-11-26T09:12:00.366Z',
      '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:2021:16)',
      '    at async retryTransient (file:///work/src/runtime/retry-transient.ts:53:9)',
    ]) {
      expect(redact(text)).to.equal(text);
    }
  });

  it('is idempotent and quick on any text, hostile to its patterns or not', () => {
    const hostile = fc.string({
      unit: fc.constantFrom(...'0123456789abcdef:.[]%@/'),
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
  it('redacts strings at any depth, in a copy, leaving the original as it was', () => {
    const original = {
      err: { message: 'connect ECONNREFUSED 10.1.2.3:5432' },
      list: ['[::1]:9092'],
    };
    const copy = redactValue(original);
    expect(copy).to.deep.equal({ err: { message: 'connect ECONNREFUSED <ip>' }, list: ['<ip>'] });
    expect(original.err.message).to.equal('connect ECONNREFUSED 10.1.2.3:5432');
  });

  it('turns an Error into its redacted name, message and stack', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { row: 'data' });
    const copy = redactValue({ error }) as { error: Record<string, unknown> };
    expect(Object.keys(copy.error).sort()).to.deep.equal(['message', 'name', 'stack']);
    expect(JSON.stringify(copy)).to.not.include('10.1.2.3');
  });
});

describe('the logger', () => {
  /** A service logger whose lines the test reads instead of the console. */
  function capturingLogger() {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const logger = createLogger('debug', 'json');
    logger.clear().add(new winston.transports.Stream({ stream }));
    return { logger, lines };
  }

  it('redacts every line, whatever the call site passed: message, fields, error fields', () => {
    const addresses = fc.oneof(ipv4WithOptionalPort, ipv6Forms, hostWithPort);
    fc.assert(
      fc.property(addresses, prose, (address, words) => {
        const { logger, lines } = capturingLogger();
        const error = new Error(`connect ECONNREFUSED ${address}`);
        logger.warn(`failed ${words} ${address}`, {
          host: address,
          nested: { url: `postgres://writer:pw-${words.length}@${address}/db` },
          ...errorFields(error),
        });
        logger.error(error);
        const output = lines.join('');
        expect(lines).to.have.length(2);
        expect(output).to.not.include(address);
        expect(output).to.not.include(`pw-${words.length}`);
      }),
      propertyParameters(100),
    );
  });

  it('redacts the retry warning of a consumer whose database refuses connections', () => {
    const { logger, lines } = capturingLogger();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:38325'), {
      code: 'ECONNREFUSED',
    });
    logger.warn('batch failed for a passing reason, retrying', {
      partition: 5,
      attempt: 8,
      ...errorFields(refused),
    });
    const [line] = lines;
    expect(line).to.not.include('127.0.0.1').and.not.include('38325');
    expect(JSON.parse(line ?? '{}')).to.nested.include({
      'err.message': 'connect ECONNREFUSED <ip>',
      'err.code': 'ECONNREFUSED',
    });
  });
});
