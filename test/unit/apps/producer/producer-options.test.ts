import { expect } from 'chai';
import { parseProducerOptions } from '../../../../src/apps/producer/producer-options.ts';

describe('parseProducerOptions', () => {
  describe('given valid options', () => {
    it('defaults to the old schema, sending one event per interval (no count, no rate)', () => {
      expect(parseProducerOptions([])).to.deep.equal({ shape: 'old' });
    });

    it('reads --schema new', () => {
      expect(parseProducerOptions(['--schema', 'new'])).to.deep.equal({ shape: 'new' });
    });

    it('reads --schema old', () => {
      expect(parseProducerOptions(['--schema=old'])).to.deep.equal({ shape: 'old' });
    });

    it('reads --count as a number', () => {
      expect(parseProducerOptions(['--count', '1000'])).to.deep.equal({
        shape: 'old',
        count: 1000,
      });
    });

    it('reads --count with --rate', () => {
      expect(
        parseProducerOptions(['--schema', 'new', '--count', '500', '--rate', '50']),
      ).to.deep.equal({
        shape: 'new',
        count: 500,
        rate: 50,
      });
    });

    it('accepts a fractional rate', () => {
      expect(parseProducerOptions(['--count=10', '--rate=0.5'])).to.include({
        count: 10,
        rate: 0.5,
      });
    });
  });

  describe('given invalid options', () => {
    const invalid: [args: string[], message: RegExp][] = [
      [['--schema', 'v3'], /--schema/],
      [['--count', '0'], /--count must be a positive number/],
      [['--count=-5'], /--count must be a positive number/],
      [['--count', 'many'], /--count must be a positive number/],
      [['--count', 'Infinity'], /--count must be a positive number/],
      [['--count', '1.5'], /--count must be a whole number/],
      [['--count', '10', '--rate', '0'], /--rate must be a positive number/],
      [['--count', '10', '--rate', 'fast'], /--rate must be a positive number/],
      [['--rate', '5'], /--rate goes with --count/],
    ];
    for (const [args, message] of invalid) {
      it(`rejects ${args.join(' ')} with an error matching ${String(message)}`, () => {
        expect(() => parseProducerOptions(args)).to.throw(Error, message);
      });
    }

    it('rejects an option it does not know', () => {
      expect(() => parseProducerOptions(['--verbose'])).to.throw(/--verbose/);
    });

    it('rejects a positional argument', () => {
      expect(() => parseProducerOptions(['new'])).to.throw(/new/);
    });

    it('rejects --count without a value', () => {
      expect(() => parseProducerOptions(['--count'])).to.throw(/--count/);
    });
  });
});
