import { createOrm, migrateUp } from '../../src/infra/orm.ts';
import { databaseUrl, TEMPLATE_DB, withAdmin } from './db.ts';

/** Builds the migrated template database that every test file clones. */
export default async function setup(): Promise<void> {
  await withAdmin(async (c) => {
    await c.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
    await c.query(`create database ${TEMPLATE_DB}`);
  });
  const orm = await createOrm({ databaseUrl: databaseUrl(TEMPLATE_DB) });
  try {
    await migrateUp(orm);
  } finally {
    await orm.close();
  }
}
