/** Per-entity outcomes in the shapes of the Invocation API's bulk answers. */

export interface ResponseError {
  Status: number;
  ErrorCategory: string;
  Message: string;
  Details?: unknown;
  ErrorMetadata?: { EntityID: string; EntitySlug?: string; EntityType: string };
}

export type ErrorCategory = 'Validation' | 'NotFound' | 'Conflict' | 'DeleteGated' | 'NotProcessed';

export function entityError(
  status: number,
  category: ErrorCategory,
  message: string,
  entity: { id: string; slug?: string | undefined },
): ResponseError {
  const meta = {
    EntityID: entity.id,
    ...(entity.slug === undefined ? {} : { EntitySlug: entity.slug }),
    EntityType: 'Invocation',
  };
  return { Status: status, ErrorCategory: category, Message: message, ErrorMetadata: meta };
}

/** What a chunk decided for one item; written to bulk_item in the chunk's transaction. */
export interface ItemOutcome {
  seq: number;
  status: 'succeeded' | 'failed';
  /** The per-entity answer: {Invocation} / {Error} for clone and patch, {Message} / {Error} for delete. */
  result: Record<string, unknown>;
  /** The id a clone created. */
  createdId?: string | undefined;
  /** The Version the job wrote (patch, clone), so an undo can tell whether it changed since. */
  versionAfter?: number | undefined;
  /**
   * Recorded in bulk_item already, by the statement that changed the entity (see ops/sql-rows.ts),
   * with its undo data in bulk_undo: counted, not written again. `result` is then empty; the row
   * holds the real one. Only those statements record undo data; outcomes Node writes have none.
   */
  written?: true | undefined;
}

export const succeeded = (seq: number, result: Record<string, unknown>, extra: Partial<ItemOutcome> = {}): ItemOutcome => ({
  seq,
  status: 'succeeded',
  result,
  ...extra,
});

export const failed = (seq: number, error: ResponseError, extra: Partial<ItemOutcome> = {}): ItemOutcome => ({
  seq,
  status: 'failed',
  result: { Error: error },
  ...extra,
});

/** A success the operation's own statement recorded (result, undo data) in the item row. */
export const recorded = (seq: number): ItemOutcome => ({ seq, status: 'succeeded', result: {}, written: true });
