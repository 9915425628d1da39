import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { QueryEntity } from './attributes.ts';
import { checkAlias } from './compiler.ts';
import { isControl, loneSurrogateIndex, queryError, showChar, wholeQueryError, type QuerySource } from './source.ts';

export const MAX_CONTAINS_CHARS = 1024;

/**
 * `contains`: a case-insensitive substring search over Slug, DisplayName, FunctionName,
 * ToolchainType and the keys and values of Labels and Annotations (Space: Slug, DisplayName,
 * Labels), matching when any of them contains the text. `%` and `_` are literal.
 *
 * The fields are searched as one text, the generated column search_text (migration
 * 20261123010000), which joins them with U+001F; a trigram GIN index on it answers the ILIKE. The
 * search text may not hold control characters, so it can never contain the separator and a match
 * can never span two fields. `entity` only documents which fields that column holds.
 */
export function containsCondition(entity: QueryEntity, text: string, alias: string, label = 'contains'): RawBuilder<SqlBool> {
  checkAlias(alias);
  checkSearchText({ label, text });
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`(${searchText(alias)} ilike ${pattern}::text)`;
}

function checkSearchText(src: QuerySource): void {
  const { text } = src;
  if (text.length > MAX_CONTAINS_CHARS && [...text].length > MAX_CONTAINS_CHARS) {
    throw wholeQueryError(src, `text is longer than ${MAX_CONTAINS_CHARS} characters`);
  }
  const lone = loneSurrogateIndex(text);
  if (lone >= 0) throw queryError(src, lone, 'invalid character (unpaired UTF-16 surrogate)');
  for (let i = 0; i < text.length; i++) {
    if (isControl(text.charCodeAt(i))) throw queryError(src, i, `control character ${showChar(text[i] as string)} is not allowed`);
  }
}

/** The generated column the trigram index is built on (see the migration). */
const searchText = (alias: string) => sql.ref(`${alias}.search_text`);
