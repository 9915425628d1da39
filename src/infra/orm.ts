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
    pool: { min: 0, max: options.poolMax ?? 10 },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    ensureDatabase: false,
  });
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
