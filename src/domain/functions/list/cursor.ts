import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db } from '../../db.ts';
import { validation } from '../../errors.ts';
import type { KeyValue } from './keyset.ts';
import type { SortKey } from './order-by.ts';
import { isTimestamp } from './values.ts';

/**
 * Opaque keyset cursors: `base64url(JSON {k: sort key values, q: query digest}) "." base64url(HMAC)`.
 * The HMAC (SHA-256, with the secret in table api_cursor_secret, shared by every API process on the
 * database) makes a changed or foreign cursor fail; the query digest binds a cursor to the list
 * query that made it (organization, orderBy, filter and every narrowing parameter), so reusing it
 * with another query fails too. Both are a 400. The page size is not bound: it may change between
 * pages.
 */
const secrets = new WeakMap<object, Promise<Buffer>>();

/** The signing secret, read once per ORM; made here if the migration's row was ever removed. */
export function cursorSecret(em: EntityManager): Promise<Buffer> {
  const owner = em.getDriver();
  let secret = secrets.get(owner);
  if (!secret) {
    secret = loadSecret(em);
    secrets.set(owner, secret);
    secret.catch(() => secrets.delete(owner));
  }
  return secret;
}

async function loadSecret(em: EntityManager): Promise<Buffer> {
  const k = db(em);
  await k.insertInto('api_cursor_secret').values({ id: 1, secret: randomBytes(32) }).onConflict((oc) => oc.column('id').doNothing()).execute();
  const row = await k.selectFrom('api_cursor_secret').select('secret').where('id', '=', 1).executeTakeFirstOrThrow();
  return row.secret;
}

/** A short digest of everything a cursor is bound to. */
export const queryDigest = (binding: unknown) =>
  createHash('sha256').update(JSON.stringify(binding)).digest('base64url').slice(0, 22);

const sign = (secret: Buffer, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

export function encodeCursor(secret: Buffer, digest: string, values: KeyValue[]): string {
  const body = Buffer.from(JSON.stringify({ k: values, q: digest })).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

const MAX_CURSOR = 4096;
const invalid = (name: string) => validation(`${name}: not a cursor of this list (changed, or from elsewhere)`);

/** The sort key values of a cursor made for this query, or a 400 naming the parameter. */
export function decodeCursor(secret: Buffer, digest: string, keys: SortKey[], cursor: string, name: string): KeyValue[] {
  const [body, mac, ...rest] = cursor.split('.');
  if (!body || !mac || rest.length > 0 || cursor.length > MAX_CURSOR) throw invalid(name);
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid(name);
  const payload = parsePayload(body);
  if (!payload) throw invalid(name);
  if (payload.q !== digest) {
    throw validation(`${name}: the cursor was made for another query; orderBy, filter and the other list parameters must stay the same while paging`);
  }
  const values = payload.k;
  if (!Array.isArray(values) || values.length !== keys.length || !values.every((v, i) => valueFits(keys[i]!, v))) {
    throw invalid(name);
  }
  return values as KeyValue[];
}

function parsePayload(body: string): { k?: unknown; q?: unknown } | null {
  try {
    const payload: unknown = JSON.parse(Buffer.from(body, 'base64url').toString());
    return typeof payload === 'object' && payload !== null ? payload : null;
  } catch {
    return null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Signed values are ours; checked anyway, so a leaked secret still cannot make a query fail. */
function valueFits(key: SortKey, v: unknown): boolean {
  if (v === null) return key.spec.nullable;
  if (typeof v !== 'string' || v.includes('\u0000')) return false;
  if (key.spec.type === 'id') return UUID.test(v);
  if (key.spec.type === 'time') return isTimestamp(v);
  return true;
}
