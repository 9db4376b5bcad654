// Keeps the consumer's group session alive while one long call is in flight (a dead-letter send
// that waits on the broker's metadata for seconds): kafkajs heartbeats only when asked, and a
// member that stays silent for the session timeout loses its partitions.
import { retryDefaults } from './retry-transient.ts';

/** The work's outcome; a keep-alive that throws (the group moved on) ends the wait with its error. */
export async function keepAliveWhile<T>(
  work: Promise<T>,
  keepAlive: (() => Promise<void>) | undefined,
  everyMs: number = retryDefaults.keepAliveEveryMs,
): Promise<T> {
  if (keepAlive === undefined) return work;
  const done = work.then(() => 'done' as const);
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<'tick'>((resolve) => {
      timer = setTimeout(resolve, everyMs, 'tick');
    });
    try {
      if ((await Promise.race([done, tick])) === 'done') return await work;
    } finally {
      clearTimeout(timer);
    }
    try {
      await keepAlive();
    } catch (error) {
      work.catch(() => undefined); // abandoned: its late failure is nobody's business
      throw error;
    }
  }
}
