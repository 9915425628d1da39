import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Tests talk to the machine's PostgreSQL; TEST_DATABASE_URL overrides the server. */
export const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEMPLATE_DB = process.env.TEST_TEMPLATE_DB ?? 'bulkops_test_template';

export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database cloned from the migrated template, for one test file. */
export async function createTestDatabase(): Promise<string> {
  const name = `bulkops_t_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name} template ${TEMPLATE_DB}`));
  return name;
}

export async function dropTestDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`drop database if exists ${name} with (force)`));
}
