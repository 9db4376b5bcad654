// Reading a process's /proc files while it may be exiting: a process that is gone reads as
// undefined, never as an error (a fault test's broker stop once failed on ESRCH, a read racing the
// broker's exit).
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { expect } from 'chai';
import { readProcessFile } from '../../../stack/kafka/background-process.ts';

const linux = process.platform === 'linux';

describe('readProcessFile', () => {
  it("reads a live process's file", async function () {
    if (!linux) this.skip();
    expect(await readProcessFile(process.pid, 'status')).to.match(/^Name:/);
  });

  it('answers undefined for a process that has exited and been reaped', async function () {
    if (!linux) this.skip();
    const child = spawn(process.execPath, ['-e', '0']);
    await once(child, 'exit');
    expect(await readProcessFile(child.pid ?? 0, 'status')).to.equal(undefined);
  });

  it('knows the race it absorbs: a read of an open /proc file after the exit fails with ESRCH', async function () {
    if (!linux) this.skip();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const handle = await open(`/proc/${child.pid}/status`, 'r');
    try {
      child.kill('SIGKILL');
      await once(child, 'exit');
      const read = await handle.readFile('utf8').then(
        () => 'read',
        (error: NodeJS.ErrnoException) => error.code,
      );
      expect(read).to.equal('ESRCH');
    } finally {
      await handle.close();
    }
  });
});
