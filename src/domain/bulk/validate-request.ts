import type { EntityManager } from '@mikro-orm/postgresql';
import { validation } from '../errors.ts';
import type { Actor } from '../identity/actor.ts';
import { parseInvocationPatch, parseInvocationProjection } from '../invocations/index.ts';
import { resolveSelection } from '../query/selection.ts';
import type { Operation } from './bulk.db.ts';
import type { BulkRequest } from './submit.ts';

/** Destination spaces of a clone, as a Space selection with the clone's parameter names. */
export const SPACE_SELECTION = (request: BulkRequest) => ({
  entity: 'Space' as const,
  alias: 'd',
  where: request.where_space,
  filter: request.filter_space,
  names: { where: 'where_space', filter: 'filter_space' },
});

const PREFIX_PATTERN = /^[A-Za-z0-9][-_.A-Za-z0-9]*$/;
export const MAX_PREFIXES = 100;

/** `name_prefixes`: comma-separated; each must be able to start a Slug. */
export function parsePrefixes(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const prefixes = text.split(',').map((p) => p.trim());
  if (prefixes.length > MAX_PREFIXES) throw validation(`name_prefixes: at most ${MAX_PREFIXES} prefixes`);
  for (const p of prefixes) {
    if (p.length === 0 || p.length > 64 || !PREFIX_PATTERN.test(p)) {
      throw validation(`name_prefixes: '${p}' is not a valid prefix (1-64 of letters, digits, -, _ or ., starting with a letter or digit)`);
    }
  }
  if (new Set(prefixes).size !== prefixes.length) throw validation('name_prefixes: a prefix is listed twice');
  return prefixes;
}

/**
 * Everything about a bulk request that can fail for the whole request, checked before any job row
 * exists: a selection is present and valid, destination spaces resolve, the body is a valid patch.
 */
export async function validateBulkRequest(
  em: EntityManager,
  actor: Actor,
  operation: Exclude<Operation, 'revert'>,
  request: BulkRequest,
): Promise<void> {
  const selection = await resolveSelection(em, actor, {
    entity: 'Invocation',
    alias: 'i',
    where: request.where,
    filter: request.filter,
    contains: request.contains,
  });
  if (!selection.hasCriteria) {
    throw validation('a bulk call needs a selection: where, filter or contains (it would otherwise touch every invocation)');
  }
  // `include` names related entities; bulk answers have none to fill, but a wrong name is still wrong.
  if (request.include !== undefined) parseInvocationProjection({ include: request.include });
  if (operation === 'clone') {
    if (request.where_space !== undefined || request.filter_space !== undefined) {
      await resolveSelection(em, actor, SPACE_SELECTION(request));
    }
    parseInvocationPatch(request.body ?? null, { allowNull: true });
  } else if (operation === 'patch') {
    parseInvocationPatch(request.body);
  }
}
