/**
 * The one error hierarchy of the service. Each error carries a stable code; the API maps codes to
 * HTTP statuses in one place (src/api/plugins/errors.ts). Messages are safe to show to callers.
 */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNPROCESSABLE'
  | 'RATE_LIMITED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAVAILABLE';

export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}

export const validation = (message: string, details?: unknown) =>
  new DomainError('VALIDATION_ERROR', message, details);
export const notFound = (message: string) => new DomainError('NOT_FOUND', message);
export const conflict = (message: string, details?: unknown) =>
  new DomainError('CONFLICT', message, details);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
export const unprocessable = (message: string, details?: unknown) =>
  new DomainError('UNPROCESSABLE', message, details);
