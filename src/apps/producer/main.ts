// `npm run producer`: sends product.purchased events, one every PRODUCER_INTERVAL_MS (the first at
// once) until stopped, or a bulk load with --count and --rate.
import { loadConfigOrExit } from '../../runtime/load-config.ts';
import { createMessaging } from '../../adapters/create-messaging.ts';
import { createLogger } from '../../runtime/logger.ts';
import { exitOnFatal, onShutdownSignal } from '../../runtime/shutdown.ts';
import { generateEvent } from './generate-event.ts';
import { toEventMessage } from './event-message.ts';
import { parseProducerOptions, producerUsage } from './producer-options.ts';
import { parseArgsOrExit } from '../../runtime/parse-args-or-exit.ts';
import { sendBulk } from './send-bulk.ts';

const options = parseArgsOrExit(parseProducerOptions, producerUsage);
const config = loadConfigOrExit();
const logger = createLogger(config.logLevel, config.logFormat).child({
  component: 'producer',
  schema: options.shape,
});
const producer = (await createMessaging(config, logger)).createProducer();

let stopping = false;
let timer: NodeJS.Timeout | undefined;
onShutdownSignal(logger, async () => {
  stopping = true;
  clearInterval(timer);
  await producer.disconnect();
});

try {
  await producer.connect();
  if (options.count !== undefined) {
    const startedAt = performance.now();
    let lastReport = 0;
    const sent = await sendBulk(producer, {
      topic: config.topic,
      shape: options.shape,
      count: options.count,
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      isStopping: () => stopping,
      onProgress: (count) => {
        if (performance.now() - lastReport < 1000 && count < (options.count ?? 0)) return;
        lastReport = performance.now();
        process.stderr.write(`sent ${count}/${options.count ?? 0}\n`);
      },
    });
    const seconds = (performance.now() - startedAt) / 1000;
    logger.info('bulk load sent', {
      sent,
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(sent / seconds),
    });
    await producer.disconnect();
  } else {
    const sendOne = async () => {
      const event = generateEvent(options.shape);
      const [delivery] = await producer.send(config.topic, [toEventMessage(event)]);
      logger.info('event sent', {
        eventId: event.eventId,
        partition: delivery?.partition,
        offset: delivery?.offset,
      });
    };
    await sendOne();
    timer = setInterval(() => {
      sendOne().catch((error: unknown) => exitOnFatal(logger, error));
    }, config.producerIntervalMs);
  }
} catch (error) {
  exitOnFatal(logger, error);
}
