import { validation } from '../../errors.ts';
import { clip, tryParseId } from '../ids.ts';
import type { FieldSpec } from './fields.ts';

/** A value ready to be a bound parameter for the field's column. */
export type SqlValue = string | boolean;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,6})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/i;

/** An RFC 3339 timestamp with a zone, checked so that PostgreSQL cannot refuse it. */
export function isTimestamp(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC maps years 0..99 to 1900..1999, and rolls 2026-02-30 over to March: compare back.
  day.setUTCFullYear(y);
  return y >= 1 && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d;
}

const describe = (v: unknown) => (typeof v === 'string' ? `'${clip(v)}'` : clip(JSON.stringify(v) ?? String(v)));

/** One caller value for `field`, as the parameter its column compares with; `path` names it. */
export function parseScalar(field: FieldSpec, value: unknown, path: string): SqlValue {
  if (value === null) throw validation(`${path}: null is not a value here; use isNull`);
  switch (field.type) {
    case 'id': {
      const uuid = typeof value === 'string' ? tryParseId(field.prefix!, value) : null;
      if (uuid === null) throw validation(`${path}: ${describe(value)} is not a ${field.prefix}_ id`);
      return uuid;
    }
    case 'text':
      if (typeof value !== 'string') throw validation(`${path}: expected a string, got ${describe(value)}`);
      if (value.includes('\u0000')) throw validation(`${path}: text may not contain the NUL character`);
      return value;
    case 'time':
      if (typeof value !== 'string' || !isTimestamp(value)) {
        throw validation(`${path}: ${describe(value)} is not an RFC 3339 timestamp with a zone (2026-01-31T12:00:00Z)`);
      }
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw validation(`${path}: expected true or false, got ${describe(value)}`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !field.values!.includes(value)) {
        throw validation(`${path}: ${describe(value)} is not one of ${field.values!.join(', ')}`);
      }
      return value;
  }
}
