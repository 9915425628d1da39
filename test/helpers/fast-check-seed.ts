import fc from 'fast-check';

/**
 * Property and fuzz tests run from one fixed seed, so a run in CI is repeatable and a failure
 * found there is found again on a laptop. `FUZZ_SEED=<n>` explores another part of the input
 * space (`FUZZ_SEED=random` a new one each run); fast-check prints the seed and path of any
 * counterexample it finds, which `FUZZ_SEED` then replays.
 */
const chosen = process.env.FUZZ_SEED;
const seed = chosen === 'random' ? Date.now() ^ (Math.random() * 0x100000000) : chosen ? Number(chosen) : 20261123;
if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer or "random", got ${JSON.stringify(chosen)}`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
