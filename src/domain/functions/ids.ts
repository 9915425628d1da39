import { TypeID, typeid } from 'typeid-js';
import { validation } from '../errors.ts';

/**
 * TypeID-style ids (prefix + base32 UUIDv7). The database stores the uuid; the API shows the TypeID.
 * The base32 alphabet is in ASCII order, so comparing two TypeIDs of one prefix as strings compares
 * their uuids: sorting an id column in SQL gives the order callers see.
 */
export const PREFIX = {
  workspace: 'wsp',
  schema: 'sch',
  function: 'fun',
  version: 'funver',
  file: 'funfil',
} as const;
export type Prefix = (typeof PREFIX)[keyof typeof PREFIX];

/** A new UUIDv7 for a row whose API id carries `prefix`. */
export const newUuid = (prefix: Prefix): string => typeid(prefix).toUUID();

export const toTypeId = (prefix: Prefix, uuid: string): string => TypeID.fromUUID(prefix, uuid).toString();
export const toTypeIdOrNull = (prefix: Prefix, uuid: string | null): string | null =>
  uuid === null ? null : toTypeId(prefix, uuid);

/** The uuid of a TypeID of the given prefix, or null when the text is not one. */
export function tryParseId(prefix: Prefix, text: string): string | null {
  if (text.length !== prefix.length + 27) return null;
  try {
    return TypeID.fromString(text, prefix).toUUID();
  } catch {
    return null;
  }
}

/** The uuid of a TypeID of the given prefix; a malformed one is a 400 naming the field. */
export function parseId(prefix: Prefix, text: string, field: string): string {
  const uuid = tryParseId(prefix, text);
  if (uuid === null) {
    throw validation(`${field}: '${clip(text)}' is not a valid id (expected ${prefix}_ followed by 26 base32 characters)`);
  }
  return uuid;
}

/** Caller text echoed in a message, bounded so a huge value does not make a huge message. */
export const clip = (text: string, max = 64) => (text.length > max ? `${text.slice(0, max)}...` : text);
