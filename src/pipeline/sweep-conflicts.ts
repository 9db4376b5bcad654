// Settles many distinct copies of one stored eventId in one statement, by the database's own rule.
// Copies that differ are otherwise judged one round (one transaction) each, so a few thousand of
// them held their partition for seconds. The sweep runs the real upsert (storage/product-events.ts)
// over all of them at once and always rolls it back: when the statement neither inserts nor updates
// a row, each copy met the stored row and was refused by the rule, just as it would have been in its
// own round, since refused copies change nothing for those after them. Whatever else happens (a
// copy the rule accepts, two copies of one row, an error) says nothing: the copies go on in rounds.
//
// Refused now means refused later too: a copy the rule accepts changes no compared value, except
// that on a row older code stored (schema_version NULL) it fills v2 columns and marks the row, and
// both only narrow what the rule accepts afterwards.
import type { Knex } from 'knex';
import { classifyError } from '../domain/errors/classify-error.ts';
import { databaseFailureKind } from '../storage/database-failure-kind.ts';
import type { ProductPurchasedV2 } from '../domain/schemas/types.ts';
import { upsertProductEvents, type StorageSchema } from '../storage/product-events.ts';

/** Ends the sweep's transaction, which is always rolled back, with what the statement returned. */
class SweepRolledBack extends Error {
  readonly rowsTouched: number;
  constructor(rowsTouched: number) {
    super('sweep rolled back');
    this.rowsTouched = rowsTouched;
  }
}

/** "ON CONFLICT DO UPDATE command cannot affect row a second time": two copies the rule took. */
const cardinalityViolation = '21000';

/** True when the rule refuses every one of these copies (of eventIds already stored). */
export async function everyCopyConflicts(
  db: Knex,
  copies: readonly ProductPurchasedV2[],
  schema: StorageSchema,
): Promise<boolean> {
  if (copies.length === 0) return true;
  try {
    await db.transaction(async (trx) => {
      const touched = await upsertProductEvents(trx, copies, schema);
      throw new SweepRolledBack(touched.size);
    });
  } catch (error) {
    if (error instanceof SweepRolledBack) return error.rowsTouched === 0;
    const { code } = error as { code?: unknown };
    if (
      code === cardinalityViolation ||
      classifyError(error, [databaseFailureKind]) === 'refused-by-database'
    )
      return false;
    throw error;
  }
  return false;
}
