import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validation } from '../../domain/errors.ts';

/**
 * JSON bodies (application/json and application/merge-patch+json) parsed by Fastify's own parser,
 * then refused when a string holds a lone surrogate: JSON's `\ud800` escape parses to text that is
 * not Unicode, which PostgreSQL cannot store (jsonb refuses it, text columns get U+FFFD instead)
 * and which hashing refuses. A clear 400 rather than a 500 or a silently altered value.
 */
export function registerJsonBodies(app: FastifyInstance, bodyLimit: number): void {
  type Done = (err: Error | null, value?: unknown) => void;
  // Fastify's default JSON parser is the callback form of its body-parser type.
  const parse = app.getDefaultJsonParser('error', 'error') as (request: FastifyRequest, body: string, done: Done) => void;
  const checked = (request: FastifyRequest, body: string, done: Done) =>
    parse(request, body, (err, value) => {
      if (err) return done(err);
      const where = loneSurrogateAt(value);
      if (where !== null) return done(validation(`request body: ${where} is not well-formed Unicode (a lone surrogate, e.g. \\ud800)`), undefined);
      done(null, value);
    });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, checked);
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string', bodyLimit }, checked);
}

/** The path of the first key or string value that is not well-formed, or null. Iterative: bodies nest deeply. */
export function loneSurrogateAt(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return path || 'the body';
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, `${path}[${i}]`]));
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        const at = path ? `${path}.${k.isWellFormed() ? k : k.toWellFormed()}` : k.isWellFormed() ? k : k.toWellFormed();
        if (!k.isWellFormed()) return `the key '${at}'`;
        stack.push([item, at]);
      }
    }
  }
  return null;
}
