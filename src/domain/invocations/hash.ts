import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { FunctionArgument } from '../entities/invocation.entity.ts';

/**
 * Hash of an invocation: lowercase hex SHA-256 of the RFC 8785 canonical JSON of
 * {FunctionName, Arguments} (keys sorted, numbers in their shortest form, no whitespace), so equal
 * calls hash equally however a client ordered the keys of its JSON.
 */
export function invocationHash(functionName: string, args: readonly FunctionArgument[]): string {
  const canonical = canonicalize({ FunctionName: functionName, Arguments: args });
  if (canonical === undefined) throw new Error('an invocation always serializes to JSON');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
