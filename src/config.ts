import { z } from 'zod';

/** Every setting the service reads from its environment, parsed once at start. */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  BOOTSTRAP_TOKEN: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  JOB_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(7),
  /** 3 on two cores: a third chunk fills the waits (commit, the job row, the queue) of the other two; see docs/benchmarks.md. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
  /**
   * PostgreSQL connections a process keeps open and opens at start (default: a worker's
   * concurrency plus one for planning and its sweeps; 2 for ROLE=api).
   */
  DATABASE_POOL_MIN: z.coerce.number().int().min(0).max(64).optional(),
  BULK_CHUNK_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** false: bulk patches and deletes keep no before-state (they cost less, and cannot be reverted). */
  BULK_RECORD_UNDO: z.stringbool().default(true),
  /** true: every answer is checked against its route's response schema (see response-serializer.ts). */
  CHECK_RESPONSES: z.stringbool().default(true),
  /** Set: a separate listener serves GET /metrics without a token (the only way to scrape ROLE=worker). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().min(1).optional(),
  /** An unfinished job without progress for this long is re-enqueued from PostgreSQL. */
  RECONCILE_STALE_SECONDS: z.coerce.number().min(0).max(86_400).default(30),
  RECONCILE_EVERY_SECONDS: z.coerce.number().min(0.1).max(86_400).default(30),
  /** A killed worker's chunk is handed to another worker once its queue lock lapses. */
  WORKER_LOCK_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  /** Requests per token per minute; 0 turns the limit off. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(6000),
  /** Bulk jobs of one organization running at once; further jobs wait queued. */
  MAX_RUNNING_JOBS_PER_ORG: z.coerce.number().int().min(1).max(1000).default(4),
  /** Seconds a bearer token, once found, is trusted without a database lookup (0: every call looks). */
  AUTH_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  /** BullMQ key prefix: processes sharing one Redis see each other's queue only with the same prefix. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9][-_.:A-Za-z0-9]{0,63}$/, 'must be 1-64 letters, digits, -, _, . or :')
    .optional(),
});

export type Config = z.infer<typeof ConfigSchema> & {
  databaseUrl: string;
  redisUrl: string;
};

export class ConfigError extends Error {}

/** The connection pool of a process: its floor, and room above it for bursts. */
export function poolSizes(c: Pick<Config, 'ROLE' | 'WORKER_CONCURRENCY' | 'DATABASE_POOL_MIN'>): { poolMin: number; poolMax: number } {
  const workers = c.ROLE === 'api' ? 0 : c.WORKER_CONCURRENCY + 1;
  const poolMin = c.DATABASE_POOL_MIN ?? (c.ROLE === 'api' ? 2 : workers);
  return { poolMin, poolMax: Math.max(10, poolMin, workers + 2) };
}

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/bulkops';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Parses an environment; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(ConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = ConfigSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  return {
    ...parsed.data,
    databaseUrl: parsed.data.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    redisUrl: parsed.data.REDIS_URL ?? DEFAULT_REDIS_URL,
  };
}
