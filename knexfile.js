// Workaround for a knex CLI defect, kept to this one file (see README, "Known workarounds"):
// for a knexfile.ts the CLI first tries to load ts-node, sucrase, babel, esbuild-register and swc,
// printing "Failed to load external module ..." for each, although Node 24 runs TypeScript itself.
// The CLI picks knexfile.js before knexfile.ts and needs no loader for it; the config stays in .ts.
export { default } from './knexfile.ts';
