import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

const VERBOSE = new Set(['debug', 'trace']);

/**
 * One access-log line per request instead of Fastify's two: "request completed" carries the
 * request (method, URL, client) beside the status and the time taken, so one line answers who
 * asked what and how it went. At debug level the "incoming request" line is written as well, for
 * following a request that never completes. Half the log volume on the hot path: the two lines
 * were a tenth of the API's CPU per GET.
 */
export class AccessLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (VERBOSE.has(request.log.level)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
