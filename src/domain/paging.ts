/**
 * Keyset paging by CursorID for the Invocation API's lists: a page is the rows after a cursor in
 * CursorID order, so a list of any size is read in bounded pieces and a row is never skipped or
 * repeated while others are inserted.
 */
export const MAX_PAGE_SIZE = 1000;

export interface PageRequest {
  limit: number;
  /** A CursorID (decimal string); rows with a larger CursorID follow. */
  after?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** The CursorID to pass as `after` for the next page; null on the last page. */
  nextAfter: string | null;
}

/** Rows were fetched with `limit + 1`: the extra row only says that another page exists. */
export function toPage<R extends { cursor_id: string }>(rows: R[], limit: number): Page<R> {
  if (rows.length <= limit) return { items: rows, nextAfter: null };
  const items = rows.slice(0, limit);
  return { items, nextAfter: items[items.length - 1]?.cursor_id ?? null };
}
