// EVENT_MAX_BYTES counts the bytes of the message value, not its characters: Kafka's size limit and
// the memory a message costs are in bytes. Every message here is mostly 2-, 3- or 4-byte UTF-8
// characters, sized to end just under, at and just over the limit, so its character count (in
// UTF-16 units or in code points) is far below its byte count: a check that counted characters
// would accept the message that is one byte over.
import { expect } from 'chai';
import { decodeEvent } from '../../../../src/domain/events/decode-event.ts';
import { exampleV1Event } from '../../fixtures.ts';

const wideCharacters = [
  ['2-byte', 'é'],
  ['3-byte', '€'],
  ['4-byte', '😀'],
] as const;

/** A valid event whose metadata note is `count` copies of `character`, as UTF-8 bytes. */
function messageOf(character: string, count: number): Buffer {
  const event = { ...exampleV1Event(), metadata: { note: character.repeat(count) } };
  return Buffer.from(JSON.stringify(event), 'utf8');
}

const depthLimit = 64;

describe('EVENT_MAX_BYTES with multi-byte text', () => {
  for (const [width, character] of wideCharacters) {
    describe(`a message of ${width} characters`, () => {
      const value = messageOf(character, 300);
      const bytes = value.length;
      const text = value.toString('utf8');
      const units = text.length;
      const codePoints = [...text].length;

      it('has far fewer characters than bytes (the premise of these tests)', () => {
        expect(units, 'UTF-16 units').to.be.below(bytes - 100);
        expect(codePoints, 'code points').to.be.below(bytes - 100);
      });

      it('is refused as EVENT_TOO_LARGE when its bytes are one over the limit, its characters far under', () => {
        const maxBytes = bytes - 1;
        expect(units, 'characters under the limit').to.be.below(maxBytes);
        const decoded = decodeEvent(value, { maxBytes, maxDepth: depthLimit });
        expect(decoded).to.deep.equal({
          kind: 'reject',
          code: 'EVENT_TOO_LARGE',
          reason: `the message value is ${bytes} bytes, over the ${maxBytes}-byte limit (EVENT_MAX_BYTES)`,
        });
      });

      it('is stored when its bytes are exactly the limit', () => {
        const decoded = decodeEvent(value, { maxBytes: bytes, maxDepth: depthLimit });
        expect(decoded.kind).to.equal('event');
      });

      it('is stored when its bytes are one under the limit', () => {
        const decoded = decodeEvent(value, { maxBytes: bytes + 1, maxDepth: depthLimit });
        expect(decoded.kind).to.equal('event');
      });
    });
  }

  describe('at the default limit of 1 MiB', () => {
    /** A valid event of exactly `bytes` bytes, 4-byte characters but for a little ASCII padding. */
    function messageOfBytes(bytes: number): Buffer {
      const withPad = (pad: number) =>
        Buffer.from(
          JSON.stringify({
            ...exampleV1Event(),
            metadata: { note: '😀'.repeat(262_000), pad: 'x'.repeat(pad) },
          }),
          'utf8',
        );
      return withPad(bytes - withPad(0).length);
    }

    it('refuses 1 MiB + 1 byte, though it holds about half as many characters', () => {
      const value = messageOfBytes(1_048_577);
      expect(value.length, 'bytes').to.equal(1_048_577);
      expect(value.toString('utf8').length, 'UTF-16 units').to.be.below(600_000);
      const decoded = decodeEvent(value);
      expect(decoded.kind === 'reject' && decoded.code).to.equal('EVENT_TOO_LARGE');
    });

    it('stores exactly 1 MiB', () => {
      expect(decodeEvent(messageOfBytes(1_048_576)).kind).to.equal('event');
    });
  });
});
