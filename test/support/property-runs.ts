// Settings every property-based test shares: a fixed seed in CI, so a red run is reproducible, and
// knobs for exploring locally. On failure fast-check prints the seed and the path of the smallest
// counterexample; rerun with PROPERTY_SEED=<seed> (and PROPERTY_PATH=<path>) to replay it.
//   PROPERTY_RUNS=<n>   runs per property (default: each test's own, small enough for CI)
//   PROPERTY_SEED=<n>   seed; default a fixed one under CI=true, else a random one
import type fc from 'fast-check';

const env = process.env;
const fixedSeed = 20261126;

export function propertyParameters<T>(defaultRuns: number): fc.Parameters<T> {
  const runs = Number(env['PROPERTY_RUNS'] ?? defaultRuns);
  const seed =
    env['PROPERTY_SEED'] !== undefined
      ? Number(env['PROPERTY_SEED'])
      : env['CI'] === 'true'
        ? fixedSeed
        : undefined;
  return {
    numRuns: runs,
    ...(seed === undefined ? {} : { seed }),
    ...(env['PROPERTY_PATH'] === undefined ? {} : { path: env['PROPERTY_PATH'] }),
  };
}
