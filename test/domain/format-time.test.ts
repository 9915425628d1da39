import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '../../src/domain/identity/organizations.ts';
import { SERVER_URL } from '../helpers/db.ts';

/**
 * formatTime rearranges PostgreSQL's UTC text without a Date; these compare it with the Date
 * path on the text PostgreSQL itself writes, in UTC and in other session time zones.
 */
const viaDate = (d: Date | string) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: SERVER_URL });
  // Timestamps as the text PostgreSQL sends, as the service's driver hands them over.
  client.setTypeParser?.(1184, (v: string) => v);
  await client.connect();
});
afterAll(async () => client?.end());

async function pgText(zone: string, instants: Date[]): Promise<string[]> {
  await client.query(`set time zone '${zone}'`);
  const res = await client.query<{ t: string }>('select unnest($1::timestamptz[])::text as t', [instants.map((d) => d.toISOString())]);
  return res.rows.map((r) => r.t);
}

// From 1970: the service's timestamps are written by now(); older instants in some zones carry
// local mean time offsets with seconds (+05:53:20), which Date cannot read on either path.
const instant = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });

describe('formatTime', () => {
  it('writes RFC 3339 UTC with whole seconds from UTC text, truncating fractions', () => {
    expect(formatTime('2026-11-23 07:48:03+00')).toBe('2026-11-23T07:48:03Z');
    expect(formatTime('2026-11-23 07:48:03.999999+00')).toBe('2026-11-23T07:48:03Z');
    expect(formatTime(new Date('2026-11-23T07:48:03.5Z'))).toBe('2026-11-23T07:48:03Z');
  });

  it('converts text with another offset to UTC', () => {
    expect(formatTime('2026-11-23 13:18:03+05:30')).toBe('2026-11-23T07:48:03Z');
    expect(formatTime('2026-11-23 02:48:03-05')).toBe('2026-11-23T07:48:03Z');
  });

  for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
    it(`agrees with the Date path on what PostgreSQL writes in ${zone}`, async () => {
      const instants = fc.sample(instant, 300);
      const texts = await pgText(zone, instants);
      for (const [i, text] of texts.entries()) {
        expect(formatTime(text)).toBe(viaDate(text));
        expect(formatTime(text)).toBe(viaDate(instants[i]!));
      }
    });
  }
});
