// `npm run consumer` takes no arguments: everything it needs is a setting. It still reads its
// command line, so `--help` answers and a typo stops it instead of starting it for real.
import { parseNoOptions, settingsNote } from '../../runtime/parse-args-or-exit.ts';

export const parseConsumerOptions = parseNoOptions;

export const consumerUsage = `usage: npm run consumer

Stores product.purchased events from KAFKA_TOPIC in Postgres (DATABASE_URL) until stopped
(Ctrl+C or SIGTERM: the batch in hand is finished and its offsets committed first). Events that
cannot be stored go to KAFKA_DLQ_TOPIC with an error code. Serves /healthz, /readyz and /metrics
on HTTP_HOST:HTTP_PORT.

  -h, --help   show this help

${settingsNote}`;
