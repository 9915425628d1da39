/**
 * `npm run bench`: bulk patch, clone and delete end to end through the real service (API and
 * worker processes) against the physical limit (one set-based statement) and a naive ORM loop,
 * single-entity GET and PATCH under load against a bare route, and the worker's peak memory.
 * Creates and drops its own database; prints a table and writes bench/results.json.
 *
 *   npm run bench -- --n 1000000 --scale 10000,100000
 *
 * Options: --n (100000), --scale (10000; job sizes whose cost per entity is compared with n's),
 * --scale-runs (3; how often each of those runs, on other blocks each time; medians compared),
 * --naive (5000), --seconds (10, per load run), --connections (50), --chunk-size, --concurrency,
 * --workers (1), --set K=V (a further setting of the service's processes; repeatable),
 * --pg-set NAME=VALUE (a PostgreSQL server setting for this run only, by ALTER SYSTEM and a reload;
 * repeatable), --log-level (info), --cpu-prof DIR (API and worker processes), --explain-ms MS (auto_explain into
 * the server log), --no-api, --api-only, --no-undo-compare (skip patch and delete again without undo
 * recording), --no-checkpoint (no CHECKPOINT before each bulk measurement), --rate-limit N (the
 * service's RATE_LIMIT_PER_MINUTE; default 1000000, counted but never reached; 0 turns the limiter
 * off), --out (bench/results.json).
 * BENCH_DATABASE_URL and BENCH_REDIS_URL override the local PostgreSQL and Redis.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatResults } from './bulk/report.ts';
import { runBulkBench, type BulkBenchOptions } from './bulk/run.ts';
import { dropBenchDatabase, resetAppliedServerSettings } from './bulk/database.ts';
import { stopAllChildren } from './bulk/service.ts';

export function parseOptions(argv: string[]): BulkBenchOptions & { out: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '100000' },
      scale: { type: 'string', default: '10000' },
      'scale-runs': { type: 'string', default: '3' },
      naive: { type: 'string', default: '5000' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      'chunk-size': { type: 'string' },
      concurrency: { type: 'string' },
      workers: { type: 'string', default: '1' },
      set: { type: 'string', multiple: true, default: [] },
      'pg-set': { type: 'string', multiple: true, default: [] },
      'log-level': { type: 'string', default: 'info' },
      'cpu-prof': { type: 'string' },
      'explain-ms': { type: 'string' },
      'no-api': { type: 'boolean', default: false },
      'no-undo-compare': { type: 'boolean', default: false },
      'rate-limit': { type: 'string' },
      'api-only': { type: 'boolean', default: false },
      'no-checkpoint': { type: 'boolean', default: false },
      out: { type: 'string', default: fileURLToPath(new URL('results.json', import.meta.url)) },
    },
  });
  const num = (name: string, v: string | undefined) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < 1) throw new Error(`--${name}: expected a positive integer, got ${v}`);
    return x;
  };
  return {
    n: num('n', values.n),
    scale: (values.scale ?? '').split(',').filter(Boolean).map((s) => num('scale', s)),
    scaleRuns: num('scale-runs', values['scale-runs']),
    naiveSample: num('naive', values.naive),
    loadSeconds: num('seconds', values.seconds),
    connections: num('connections', values.connections),
    ...(values['chunk-size'] ? { chunkSize: num('chunk-size', values['chunk-size']) } : {}),
    ...(values.concurrency ? { concurrency: num('concurrency', values.concurrency) } : {}),
    ...(values.set?.length ? { serviceEnv: Object.fromEntries(values.set.map((kv) => setting('set', kv))) } : {}),
    ...(values['pg-set']?.length ? { pgSettings: Object.fromEntries(values['pg-set'].map((kv) => setting('pg-set', kv))) } : {}),
    workers: num('workers', values.workers),
    logLevel: values['log-level'] ?? 'info',
    ...(values['cpu-prof'] ? { cpuProfDir: values['cpu-prof'] } : {}),
    ...(values['explain-ms'] ? { explainMs: num('explain-ms', values['explain-ms']) } : {}),
    skipApi: values['no-api'] ?? false,
    skipNoUndo: values['no-undo-compare'] ?? false,
    ...(values['rate-limit'] !== undefined ? { rateLimit: values['rate-limit'] === '0' ? 0 : num('rate-limit', values['rate-limit']) } : {}),
    skipBulk: values['api-only'] ?? false,
    noCheckpoint: values['no-checkpoint'] ?? false,
    serverUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    out: values.out ?? 'bench/results.json',
  };
}

function setting(option: string, kv: string): [string, string] {
  const eq = kv.indexOf('=');
  if (eq < 1) throw new Error(`--${option}: expected NAME=value, got ${kv}`);
  return [kv.slice(0, eq), kv.slice(eq + 1)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = parseOptions(process.argv.slice(2));
  const dbName = `bulkops_bench_${randomBytes(4).toString('hex')}`;
  const interrupted = async () => {
    console.log('interrupted: stopping the service and dropping the database');
    await stopAllChildren();
    await dropBenchDatabase(options.serverUrl, { name: dbName });
    await resetAppliedServerSettings(options.serverUrl);
    process.exit(130);
  };
  process.once('SIGINT', () => void interrupted());
  process.once('SIGTERM', () => void interrupted());
  const results = await runBulkBench({ ...options, dbName, log: console.log });
  console.log(`\n${formatResults(results)}`);
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to ${options.out}`);
  process.exit(0);
}
