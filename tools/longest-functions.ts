// `node tools/longest-functions.ts [dir] [count]`: the longest functions under a folder (default
// src/), in lines from the first line of the declaration to its closing brace, longest first. A
// function's lines include the functions nested in it, as a reader meets them. Issue 23 measures
// the longest one in src/ before and after a refactor with this.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..');
const dir = process.argv[2] ?? 'src';
const count = Number(process.argv[3] ?? 10);

function* sourceFiles(folder: string): Generator<string> {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** A name a reader would search for: the declaration's, or the variable or property it is given to. */
function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name !== undefined) return named.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))
    return parent.name.getText();
  return '(anonymous)';
}

const found: { lines: number; where: string; name: string }[] = [];
for (const path of sourceFiles(join(root, dir))) {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = file.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const where = `${relative(root, path)}:${first + 1}`;
      found.push({ lines: last - first + 1, where, name: nameOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}
found.sort((a, b) => b.lines - a.lines);
console.table(found.slice(0, count));
