import { apply } from 'json-merge-patch';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A copy of `target` in which every object that `apply` would change in place (those on the
 * patch's object paths) is a fresh one, the rest shared: copying only those is what keeps the
 * argument unchanged, at a fraction of the cost of cloning the whole document per entity.
 */
function copyAlong(target: unknown, patch: unknown): unknown {
  if (!isObject(patch) || !isObject(target)) return target;
  const out: Json = { ...target };
  for (const key of Object.keys(patch)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') break; // apply stops there too
    if (isObject(patch[key]) && isObject(out[key])) out[key] = copyAlong(out[key], patch[key]);
  }
  return out;
}

/**
 * RFC 7396 merge patch over plain JSON documents: a `null` member removes that key, an object
 * merges recursively, anything else (arrays included) replaces whole. Neither argument is changed;
 * the result may share unchanged members with them, so treat it as read-only.
 * Members whose value is `undefined` (absent optionals after parsing) are not part of the patch.
 */
export function mergePatch(target: Json, patch: Json): Json {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  return apply(copyAlong(target, defined), defined) as Json;
}
