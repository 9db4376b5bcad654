// The adapter's own word for a batch whose generation has passed: a heartbeat or commit refused
// here, before the broker is asked (handle-round.ts). It is group churn by its own kind
// (failure-kind.ts): the batch is abandoned, the partition's owner re-reads it.
export class GroupChangedError extends Error {
  override name = 'GroupChangedError';
  constructor() {
    super('the consumer group changed under the batch');
  }
}
