import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.ts';

/**
 * A route-level hook admitting only the listed media types for a request body. Fastify would parse
 * text/plain itself and let validation report a confusing type error; the client deserves a 415.
 * A request without a body passes, so that validation can say the body is missing.
 */
export function acceptBodyTypes(...types: string[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return;
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!types.includes(mediaType)) {
      throw new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        `unsupported content type '${mediaType || '(none)'}': send ${types.join(' or ')}`,
      );
    }
  };
}

export const JSON_BODY = acceptBodyTypes('application/json');
export const MERGE_PATCH_BODY = acceptBodyTypes('application/merge-patch+json', 'application/json');
