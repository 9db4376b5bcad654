// How many transactions one call may spend on a partition batch before it stops and lets its
// caller commit what is settled. A batch of ordinary events costs one write a slice; copies of one
// eventId cost a round each and rows the database refuses a halving each, so a hostile batch could
// keep its partition, and with it every partition its client fetches together, busy for seconds.
// Past the budget the batch stops at the first message it has not settled; the caller commits the
// messages before it and the client hands over the rest again in a later batch. Settling a prefix
// and reading the rest again is a batch split at that message, which changes no outcome.

/** Writes (transactions and conflict sweeps) one consumer call spends on a batch, at most. */
export const consumerMaxWritesPerBatch = 24;

export class WriteBudget {
  readonly #maxWrites: number;
  #writes = 0;
  #settledAny = false;

  constructor(maxWrites = Infinity) {
    this.#maxWrites = maxWrites;
  }

  /**
   * Whether another write may start. Until something is settled it always may: the batch's first
   * message is settled by every call, so a batch never stalls however small the budget.
   */
  allows(): boolean {
    return !this.#settledAny || this.#writes < this.#maxWrites;
  }

  /** A write (or sweep) is about to start. */
  spend(): void {
    this.#writes += 1;
  }

  /** Messages were settled: from here on the budget may stop the batch. */
  settled(): void {
    this.#settledAny = true;
  }
}
