// Reads what deploy/, the Dockerfile and the compose files say, for the tests that hold them to
// the code: YAML as Kubernetes and compose read it, Dockerfile instructions with their arguments.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const repoRoot = join(import.meta.dirname, '..', '..');

export const readRepoFile = (file: string): Promise<string> =>
  readFile(join(repoRoot, file), 'utf8');

/**
 * Every document of a YAML file, or an error naming the file and what is wrong. YAML 1.1, as
 * Kubernetes reads manifests (`0440` is octal there).
 */
export async function readYamlDocuments(file: string): Promise<unknown[]> {
  const documents = parseAllDocuments(await readRepoFile(file), { version: '1.1' });
  const list = Array.isArray(documents) ? documents : [documents];
  return list.map((document) => {
    const problems = [...document.errors, ...document.warnings];
    if (problems.length > 0)
      throw new Error(`${file}: ${problems.map((problem) => problem.message).join('; ')}`);
    return document.toJS() as unknown;
  });
}

export async function yamlFilesUnder(folder: string): Promise<string[]> {
  const names = await readdir(join(repoRoot, folder));
  return names
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(folder, name));
}

export interface DockerInstruction {
  readonly keyword: string;
  readonly args: string;
  /** The exec form's words (`["node", "x.ts"]`), when the arguments are one. */
  readonly exec?: readonly string[];
}

/** The Dockerfile's instructions in order, continuation lines joined, comments left out. */
export async function readDockerfile(file = 'Dockerfile'): Promise<DockerInstruction[]> {
  const lines = (await readRepoFile(file)).split('\n');
  const instructions: DockerInstruction[] = [];
  let pending = '';
  for (const line of lines) {
    if (/^\s*#/.test(line)) continue;
    pending += line.replace(/\\\s*$/, ' ');
    if (/\\\s*$/.test(line)) continue;
    const match = /^\s*(\w+)\s+(.*?)\s*$/.exec(pending);
    pending = '';
    if (match === null) continue;
    const [, keyword = '', args = ''] = match;
    const execForm = /^(?:(?:--\S+\s+)*CMD\s+)?(\[.*\])$/.exec(args)?.[1];
    instructions.push({
      keyword: keyword.toUpperCase(),
      args,
      ...(execForm === undefined ? {} : { exec: JSON.parse(execForm) as string[] }),
    });
  }
  return instructions;
}

/** The paths the final stage COPYs from the build context (not from another stage). */
export function copiedFromContext(instructions: readonly DockerInstruction[]): string[] {
  const lastFrom = instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  return instructions
    .slice(lastFrom)
    .filter(({ keyword, args }) => keyword === 'COPY' && !args.startsWith('--from'))
    .flatMap(({ args }) => args.split(/\s+/).slice(0, -1));
}
