import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JobEventHub } from '../infra/job-events.ts';
import { db } from '../domain/db.ts';
import { FINISHED_STATES } from '../domain/bulk/bulk.db.ts';
import { jobView, type JobRow } from '../domain/bulk/job-view.ts';

const HEARTBEAT_MS = 15_000;
const POLL_MS = 2_000;

/**
 * Server-Sent Events for one job: a `progress` event with the job resource whenever it changes, a
 * final `done` event when it finishes, then the stream ends. State is read from PostgreSQL on each
 * wake-up (pub/sub event or a slow poll), so what is sent is always the durable truth.
 */
export async function streamJobEvents(request: FastifyRequest, reply: FastifyReply, hub: JobEventHub, job: JobRow) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  let lastSent = '';
  let wake: () => void = () => {};
  const send = (event: string, data: unknown) => {
    if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const heartbeat = setInterval(() => !closed && res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  request.raw.on('close', () => {
    closed = true;
    wake();
  });
  const unsubscribe = await hub.subscribe(job.id, () => wake()).catch(() => () => {});
  try {
    while (!closed) {
      const row = await db(request.em).selectFrom('bulk_job').selectAll().where('id', '=', job.id).executeTakeFirst();
      if (!row) break;
      const view = jobView(row);
      const text = JSON.stringify(view);
      if (text !== lastSent) {
        send('progress', view);
        lastSent = text;
      }
      if (FINISHED_STATES.includes(row.state)) {
        send('done', view);
        break;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
    if (!res.writableEnded) res.end();
  }
}
