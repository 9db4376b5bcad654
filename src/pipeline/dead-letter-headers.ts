// Header names of a dead letter. The original key, value and headers are kept untouched; these
// say why the event failed and where it came from, so it can be found, fixed and redriven.
export const deadLetterHeaders = Object.freeze({
  code: 'dlq.error.code',
  reason: 'dlq.error.reason',
  topic: 'dlq.source.topic',
  partition: 'dlq.source.partition',
  offset: 'dlq.source.offset',
  group: 'dlq.consumer.group',
  failedAt: 'dlq.failed.at',
});
