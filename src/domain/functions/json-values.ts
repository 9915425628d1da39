import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { validation } from '../errors.ts';

/**
 * Checks on caller JSON before it reaches a jsonb or text column: PostgreSQL refuses the NUL
 * character in both, and that refusal must be a 400 naming the field, not a 500.
 */
export function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
  }
  return false;
}

/** The value as JSON text for a jsonb column, refused when too big or holding a NUL. */
export function jsonColumn(value: unknown, field: string, maxBytes: number): string {
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) > maxBytes) throw validation(`${field}: larger than ${maxBytes} bytes of JSON`);
  if (hasNul(value)) throw validation(`${field}: text may not contain the NUL character`);
  return text;
}

const DRAFT_2020 = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;
// Only meta-schema checks run on these instances; they never compile caller schemas.
const ajv2020 = new Ajv2020({ strict: false });
const ajv07 = new Ajv({ strict: false });

/**
 * A schema definition must be a JSON Schema object valid against its meta-schema: draft 2020-12
 * by default or when `$schema` names it, draft-07 when `$schema` names that.
 */
export function checkJsonSchema(definition: Record<string, unknown>): void {
  const declared = definition.$schema;
  let ajv: Ajv | Ajv2020;
  if (declared === undefined || (typeof declared === 'string' && DRAFT_2020.test(declared))) ajv = ajv2020;
  else if (typeof declared === 'string' && DRAFT_07.test(declared)) ajv = ajv07;
  else throw validation('definition.$schema: supported are draft 2020-12 (the default) and draft-07');
  if (!ajv.validateSchema(definition)) {
    const text = ajv.errorsText(ajv.errors?.slice(0, 3), { dataVar: 'definition' });
    throw validation(`definition is not a valid JSON Schema: ${text}`);
  }
}
