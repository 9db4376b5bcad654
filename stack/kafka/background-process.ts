// Supervision of a detached background process, whatever it runs: is a pid still alive, wait for
// it to exit, read the tail of the log it writes. The Kafka broker (broker.ts) is built on it.
import { open, readFile, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export const logTailLines = 20;

export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A file of /proc/<pid>/, or undefined once the process is gone: the directory vanishes when the
 * process is reaped (ENOENT), and a read that races its exit fails with ESRCH (a fault test's
 * broker stop failed on it in CI).
 */
export async function readProcessFile(pid: number, name: string): Promise<string | undefined> {
  try {
    return await readFile(`/proc/${pid}/${name}`, 'utf8');
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw error;
  }
}

/**
 * Whether pid is still running. A fully exited zombie counts as gone: its sockets and files are
 * closed, it is just not reaped yet (by us, if we spawned it, or by init). A zombie thread-group
 * leader whose other threads are still exiting does not: the JVM's listeners are still open then.
 */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  const status = await readProcessFile(pid, 'status');
  if (status === undefined) return false;
  const state = /^State:\s+(\S)/m.exec(status)?.[1];
  const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1);
  return !((state === 'Z' || state === 'X') && threads <= 1);
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

/** The tail of what this start-up wrote, not of earlier runs appended to the same file. */
export async function logTail(path: string, fromOffset: number): Promise<string> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return '(no log)';
  try {
    const size = (await file.stat()).size;
    const start = Math.max(fromOffset, size - 64 * 1024);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    await file.read(buffer, 0, buffer.length, start);
    return lastLines(buffer.toString('utf8'), logTailLines) || '(empty)';
  } finally {
    await file.close();
  }
}

export async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // Not a command-line check: an exiting process loses its command line before it closes its
  // listeners.
  while (await isRunning(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}
