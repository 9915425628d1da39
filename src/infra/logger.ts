import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.ts';

export type { Logger };

/**
 * Paths censored wherever they appear in a logged object. Fastify's default serializers log no
 * headers, but a handler, an error or a future serializer may: the secrets a request can carry are
 * the bearer header, the session cookie (request and response side) and the login form's token.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  'headers["set-cookie"]',
  'body.token',
  'token',
  'secret',
  'Secret',
];

/**
 * The process's one root logger: JSON lines on stdout (or `destination`, which tests use to read
 * what was logged). The API derives request loggers from it, the workers one child per queue job.
 */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'ROLE'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.LOG_LEVEL,
    base: { pid: process.pid, role: config.ROLE },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  // Lines are written in batches of 4 KB, and at least every 100 ms: a write(2) per line was a
  // sixth of the kernel time of a GET. pino writes what is left when the process exits.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 }));
}
