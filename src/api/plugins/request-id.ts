import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Every log line of a request carries its id (Fastify's `reqId`). A caller's X-Request-Id is kept
 * when it is a plain token, so a proxy's id ties its logs to ours; anything else gets a fresh UUID,
 * unique across API processes.
 */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTED.test(given) ? given : randomUUID();
}

/** Answers carry the id, so a client can quote it when reporting a problem. */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
}
