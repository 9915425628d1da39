import { fileURLToPath } from 'node:url';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { sql } from 'kysely';
import pg from 'pg';
import { entities } from '../domain/entities/index.ts';

export type Orm = MikroORM;
export type Em = EntityManager;

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface OrmOptions {
  databaseUrl: string;
  poolMax?: number;
  /** Connections kept open however long they idle (opened up front by openConnections). */
  poolMin?: number;
  /** How long a connection above poolMin may idle before it closes (pg's default: 10 s). */
  idleTimeoutMillis?: number;
  debug?: boolean;
}

/**
 * MikroORM owns the connection pool, the transactions and the migrations. Queries that carry
 * caller input are written with Kysely on the same connection (em.getKysely()), because Kysely
 * sends values as bound parameters while MikroORM formats them into the SQL text.
 */
export async function createOrm(options: OrmOptions): Promise<Orm> {
  return MikroORM.init({
    clientUrl: options.databaseUrl,
    entities: [...entities],
    extensions: [Migrator],
    migrations: {
      path: MIGRATIONS_DIR,
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: {
      min: options.poolMin ?? 0,
      max: Math.max(options.poolMax ?? 10, options.poolMin ?? 0),
      ...(options.idleTimeoutMillis !== undefined ? { idleTimeoutMillis: options.idleTimeoutMillis } : {}),
    },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    ensureDatabase: false,
  });
}

/**
 * Opens the pool's minimum of connections now. pg opens connections only on demand and closes
 * idle ones down to the minimum; without this, the first job after a start (or, with no minimum,
 * after ten idle seconds) pays for new server processes, each of which plans its first statements
 * with empty catalog caches (see docs/benchmarks.md).
 */
export async function openConnections(orm: Orm): Promise<number> {
  const pool: pg.Pool = await orm.em.getConnection().getNativeClient();
  const min = pool.options.min ?? 0;
  const clients = await Promise.all(Array.from({ length: min }, () => pool.connect()));
  for (const c of clients) c.release();
  return clients.length;
}

/** Any fixed number: the advisory lock that serializes migrations across processes. */
const MIGRATION_LOCK = 0x6275_6c6b;

/**
 * Applies pending migrations. Processes starting together (an API and a worker on a new database)
 * take turns under a PostgreSQL advisory lock, so none trips over another's half-made tables.
 */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const lock = new pg.Client({ connectionString: orm.config.get('clientUrl') });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const done = await orm.migrator.up();
    return done.map((m) => m.name);
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await lock.end();
  }
}

export async function pingDatabase(orm: Orm): Promise<boolean> {
  try {
    await sql`select 1`.execute(orm.em.fork().getKysely());
    return true;
  } catch {
    return false;
  }
}
