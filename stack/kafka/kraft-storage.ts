// KRaft storage of the single-node broker: formatted once, with its cluster id kept beside the data.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { lastLines, logTailLines, readOptional } from './background-process.ts';
import { kafkaNodeId } from './server-properties.ts';

const execFileAsync = promisify(execFile);

export const log4jConfigPath = resolve(import.meta.dirname, 'log4j2.properties');

export interface KraftStoragePaths {
  readonly serverProperties: string;
  readonly clusterIdFile: string;
  readonly metaProperties: string;
}

function parseProperties(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line): [string, string] => {
      const at = line.indexOf('=');
      return at < 0 ? [line, ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    });
  return new Map(entries);
}

/** Runs Kafka's StorageTool from the cached jars; a failure rejects with the end of its output. */
export async function runStorageTool(libsDir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('java', [
      '-Xmx256m',
      `-Dlog4j2.configurationFile=${log4jConfigPath}`,
      '-cp',
      join(libsDir, '*'),
      'kafka.tools.StorageTool',
      ...args,
    ]);
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: unknown; stderr?: unknown };
    const output = `${typeof stdout === 'string' ? stdout : ''}${typeof stderr === 'string' ? stderr : ''}`;
    throw new Error(
      `kafka.tools.StorageTool ${args[0] ?? ''} failed:\n${lastLines(output, logTailLines)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Formats the broker's storage the first time only. The cluster id is kept beside the data so that a
 * wiped log dir is re-formatted into the same cluster, and so a mismatch can be reported plainly
 * instead of as a broker start-up failure.
 */
export async function formatStorageOnce(
  dataDir: string,
  libsDir: string,
  paths: KraftStoragePaths,
): Promise<void> {
  const savedClusterId = (await readOptional(paths.clusterIdFile))?.trim() || undefined;
  const meta = await readOptional(paths.metaProperties);
  if (meta !== undefined) {
    const props = parseProperties(meta);
    const problems: string[] = [];
    const nodeId = props.get('node.id');
    const clusterId = props.get('cluster.id');
    if (nodeId !== String(kafkaNodeId))
      problems.push(`node.id is ${nodeId ?? 'missing'}, expected ${kafkaNodeId}`);
    if (!clusterId) problems.push('cluster.id is missing');
    else if (savedClusterId && clusterId !== savedClusterId) {
      problems.push(`cluster.id is ${clusterId} but ${paths.clusterIdFile} says ${savedClusterId}`);
    }
    if (problems.length > 0 || !clusterId) {
      throw new Error(
        `Kafka storage in ${paths.metaProperties} is inconsistent (${problems.join('; ')}). ` +
          `Stop the broker and delete ${dataDir} to re-format it; that deletes all local topics and offsets.`,
      );
    }
    if (!savedClusterId) await writeFile(paths.clusterIdFile, `${clusterId}\n`);
    return;
  }

  let clusterId = savedClusterId;
  if (!clusterId) {
    // stdout may carry log lines ahead of the id.
    const generated = (await runStorageTool(libsDir, ['random-uuid']))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^[A-Za-z0-9_-]{22}$/.test(line))
      .pop();
    if (!generated) throw new Error('kafka.tools.StorageTool random-uuid printed no cluster id');
    clusterId = generated;
    await writeFile(paths.clusterIdFile, `${clusterId}\n`);
  }
  await runStorageTool(libsDir, [
    'format',
    '-t',
    clusterId,
    '-c',
    paths.serverProperties,
    '--ignore-formatted',
  ]);
}
