// Sends dead letters back through validation and storage. Each letter read is settled one way:
// stored (or already stored), dead-lettered again with its new reason, or, when it does not match
// the --code filter, appended back unchanged. A reference letter (its original was too large for
// the dead-letter topic) has no event to redrive: it is appended back unchanged too, and the
// original is replayed from the source topic instead (docs/operations.md). Reading commits the redrive group's offsets, so the
// dead-letter topic's live part is always what comes after them.
import type { InboundMessage, OutboundMessage } from '../../messaging/message.ts';
import { addToTotals, type BatchTotals } from '../batch-totals.ts';
import { processBatch, type BatchDependencies } from '../../pipeline/process-batch.ts';
import type { ErrorCode } from '../../domain/errors/error-codes.ts';
import { deadLetterHeaders } from '../../pipeline/to-dead-letter.ts';
import { isReferenceLetter } from '../../pipeline/reference-letter.ts';

export interface RedriveTotals extends BatchTotals {
  letters: number;
  kept: number;
}

const header = (letter: InboundMessage, name: string) => letter.headers?.[name]?.toString();

export async function redriveLetters(
  letters: readonly InboundMessage[],
  filter: ErrorCode | undefined,
  redriveGroup: string,
  deps: BatchDependencies,
  appendUnchanged: (messages: readonly OutboundMessage[]) => Promise<void>,
  totals: RedriveTotals,
): Promise<void> {
  totals.letters += letters.length;
  const selected = letters.filter(
    (letter) =>
      !isReferenceLetter(letter) &&
      (filter === undefined || header(letter, deadLetterHeaders.code) === filter),
  );
  const kept = letters.filter((letter) => !selected.includes(letter));
  if (kept.length > 0) {
    await appendUnchanged(
      kept.map(({ key, value, headers }) => ({ key, value, headers: headers ?? {} })),
    );
    totals.kept += kept.length;
  }
  // Grouped by where each event first came from, so a letter that fails again still names it.
  const bySource = Map.groupBy(
    selected,
    (letter) =>
      `${header(letter, deadLetterHeaders.topic) ?? ''}\u0000${header(letter, deadLetterHeaders.partition) ?? '-1'}`,
  );
  for (const [source, group] of bySource) {
    const [topic = '', partition = '-1'] = source.split('\u0000');
    const messages = group.map((letter) => ({
      key: letter.key,
      value: letter.value,
      headers: letter.headers ?? {},
      offset: header(letter, deadLetterHeaders.offset) ?? letter.offset,
    }));
    addToTotals(
      totals,
      await processBatch(
        deps,
        { topic, partition: Number(partition), group: redriveGroup },
        messages,
      ),
    );
  }
}
