import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { DomainError, type ErrorCode, STATUS_BY_CODE } from '../../domain/errors.ts';

/** The Function Versions API (under /api) answers with its own error envelope. */
const isFunctionVersionsApi = (url: string) => url === '/api' || url.startsWith('/api/');

const CODE_BY_STATUS: Record<number, ErrorCode> = Object.fromEntries(
  Object.entries(STATUS_BY_CODE).map(([code, status]) => [status, code as ErrorCode]),
);

export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  details?: unknown,
): FastifyReply {
  if (isFunctionVersionsApi(request.url)) {
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR');
    return reply.status(status).send({ error: { code, message, ...(details === undefined ? {} : { details }) } });
  }
  return reply.status(status).send({ Code: String(status), Message: message });
}

/** Fastify's own client errors, by code, with the status and message we answer. */
function fastifyClientError(error: FastifyError): { status: number; message: string } | null {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: `unsupported content type: ${error.message.replace(/^Unsupported Media Type: ?/, '')}` };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: 'request body is larger than the limit of 1 MiB' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'request body is empty but the content type says JSON' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, message: `malformed JSON body: ${error.message}` };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, message: error.message };
  }
  return null;
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: { keys?: string[] };
}

/** One line naming every refused field, e.g. `body: Slug: Too big ...; unknown field 'Color'`. */
function zodIssuesMessage(issues: ValidationIssue[], context: string | undefined): string {
  const parts = issues.map((v) => {
    // instancePath is a JSON Pointer: '/' separates segments, '~1' and '~0' escape '/' and '~'.
    const segments = v.instancePath.split('/').slice(1).map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
    const path = segments.join('.');
    const prefix = path ? `${path}: ` : '';
    if (v.keyword === 'unrecognized_keys' && v.params?.keys) {
      const keys = v.params.keys.map((k) => `'${k}'`).join(', ');
      return `${prefix}unknown field${v.params.keys.length > 1 ? 's' : ''} ${keys}`;
    }
    return `${prefix}${v.message ?? 'invalid'}`;
  });
  return `${context ?? 'request'}: ${parts.join('; ')}`;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      return sendError(request, reply, error.status, error.message, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      return sendError(request, reply, 400, zodIssuesMessage(error.validation as ValidationIssue[], error.validationContext));
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, cause: error.cause }, 'response did not match its schema');
      return sendError(request, reply, 500, 'internal error');
    }
    const client = fastifyClientError(error);
    if (client) return sendError(request, reply, client.status, client.message);
    request.log.error({ err: error }, 'unhandled error');
    return sendError(request, reply, 500, 'internal error');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, `no route for ${request.method} ${request.url.split('?')[0]}`),
  );
}
