import { expect } from 'chai';
import { defaultOutDir, parseBenchOptions } from '../../../bench/bench-options.ts';
import { parseNoOptions, readCommandLine } from '../../../src/runtime/parse-args-or-exit.ts';
import { parseConsumerOptions } from '../../../src/apps/consumer/consumer-options.ts';
import { parseProducerOptions } from '../../../src/apps/producer/producer-options.ts';

describe('readCommandLine', () => {
  describe('asked for help', () => {
    for (const args of [['--help'], ['-h'], ['--schema', 'new', '--help'], ['--bogus', '-h']]) {
      it(`answers help for ${args.join(' ')}, whatever else is on the line`, () => {
        expect(readCommandLine(args, parseProducerOptions)).to.deep.equal({ kind: 'help' });
      });
    }

    it('treats --help after `--` as a value, not a request for help', () => {
      expect(readCommandLine(['--', '--help'], parseNoOptions).kind).to.equal('usage-error');
    });
  });

  describe('given valid arguments', () => {
    it('returns the parsed options', () => {
      expect(readCommandLine(['--schema', 'new'], parseProducerOptions)).to.deep.equal({
        kind: 'run',
        options: { shape: 'new' },
      });
    });

    it('runs a command without arguments', () => {
      expect(readCommandLine([], parseNoOptions)).to.deep.equal({ kind: 'run', options: {} });
    });
  });

  describe('given wrong arguments', () => {
    const wrong: [what: string, args: string[], message: RegExp][] = [
      ['an unknown option', ['--verbose'], /--verbose/],
      ['a positional argument', ['new'], /'new'/],
      ['an option without its value', ['--count'], /--count/],
      ['a bad value', ['--count', 'many'], /--count must be a positive number/],
    ];
    for (const [what, args, message] of wrong) {
      it(`reports ${what} in one line naming it`, () => {
        const line = readCommandLine(args, parseProducerOptions);
        expect(line.kind).to.equal('usage-error');
        if (line.kind !== 'usage-error') return;
        expect(line.message).to.match(message);
        expect(line.message).to.not.include('\n');
      });
    }

    it('reports a non-Error throw as its text', () => {
      const line = readCommandLine([], () => {
        throw 'broken'; // eslint-disable-line @typescript-eslint/only-throw-error
      });
      expect(line).to.deep.equal({ kind: 'usage-error', message: 'broken' });
    });
  });
});

describe('commands that take no arguments (the consumer, the stack commands)', () => {
  for (const args of [['start'], ['--schema', 'new'], ['-x']]) {
    it(`rejects ${args.join(' ')} instead of ignoring it`, () => {
      expect(() => parseConsumerOptions(args)).to.throw();
      expect(() => parseNoOptions(args)).to.throw();
    });
  }
});

describe('parseBenchOptions', () => {
  it('uses the defaults', () => {
    expect(parseBenchOptions([])).to.deep.equal({
      events: 200_000,
      partitions: 6,
      latencyRate: 1000,
      latencySeconds: 30,
      outDir: defaultOutDir,
      consumerCpuProfDir: undefined,
      kafkaClients: ['kafkajs', 'platformatic'],
      security: false,
    });
  });

  it('reads every option', () => {
    expect(
      parseBenchOptions([
        '--events=10',
        '--partitions',
        '2',
        '--latency-rate=5',
        '--latency-seconds=3',
        '--out=/tmp/bench-out',
        '--consumer-cpu-prof',
        '/tmp/bench-prof',
        '--kafka-client=platformatic',
        '--security',
      ]),
    ).to.deep.equal({
      events: 10,
      partitions: 2,
      latencyRate: 5,
      latencySeconds: 3,
      outDir: '/tmp/bench-out',
      consumerCpuProfDir: '/tmp/bench-prof',
      kafkaClients: ['platformatic'],
      security: true,
    });
  });

  it('reports an unknown --kafka-client as a usage error', () => {
    expect(readCommandLine(['--kafka-client', 'rdkafka'], parseBenchOptions)).to.deep.equal({
      kind: 'usage-error',
      message: '--kafka-client must be kafkajs, platformatic or both',
    });
  });

  for (const args of [
    ['--events', '0'],
    ['--partitions', '1.5'],
    ['--latency-rate', 'fast'],
  ]) {
    it(`reports ${args.join(' ')} as a usage error, not a stack trace`, () => {
      const line = readCommandLine(args, parseBenchOptions);
      expect(line).to.deep.equal({
        kind: 'usage-error',
        message: `${args[0]} must be a positive whole number`,
      });
    });
  }
});
