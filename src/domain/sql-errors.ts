/** PostgreSQL error classes the domain turns into its own errors. */
const codeOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;

export const isUniqueViolation = (e: unknown) => codeOf(e) === '23505';
export const isForeignKeyViolation = (e: unknown) => codeOf(e) === '23503';
export const isSerializationFailure = (e: unknown) => codeOf(e) === '40001' || codeOf(e) === '40P01';
