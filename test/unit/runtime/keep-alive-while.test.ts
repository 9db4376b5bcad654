import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { keepAliveWhile } from '../../../src/runtime/keep-alive-while.ts';

describe('keepAliveWhile', () => {
  it('keeps the session alive while the work is in flight, and returns its result', async () => {
    let beats = 0;
    const result = await keepAliveWhile(
      sleep(60).then(() => 'sent'),
      () => {
        beats += 1;
        return Promise.resolve();
      },
      10,
    );
    expect(result).to.equal('sent');
    // One beat per 10 ms of a 60 ms send; timers may run late on a busy machine, never early.
    expect(beats).to.be.within(2, 6);
  });

  it('stops beating once the work is done', async () => {
    let beats = 0;
    await keepAliveWhile(Promise.resolve(), () => Promise.resolve(void (beats += 1)), 10);
    await sleep(40);
    expect(beats).to.equal(0);
  });

  it('passes on the failure of the work', async () => {
    const failure = await keepAliveWhile(
      sleep(25).then(() => Promise.reject(new Error('refused'))),
      () => Promise.resolve(),
      10,
    ).catch((error: unknown) => error);
    expect((failure as Error).message).to.equal('refused');
  });

  it('ends the wait with the keep-alive’s error (the group moved on)', async () => {
    const failure = await keepAliveWhile(
      sleep(200).then(() => Promise.reject(new Error('late failure, nobody listens'))),
      () => Promise.reject(new Error('rebalancing')),
      10,
    ).catch((error: unknown) => error);
    expect((failure as Error).message).to.equal('rebalancing');
    await sleep(220); // the abandoned work's rejection must not be unhandled
  });

  it('waits without beating when there is nothing to keep alive', async () => {
    expect(await keepAliveWhile(Promise.resolve(7), undefined)).to.equal(7);
  });
});
