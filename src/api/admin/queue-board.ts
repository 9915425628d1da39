import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyPluginCallback } from 'fastify';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { isSystemAdmin, type Actor } from '../../domain/identity/actor.ts';

export const BOARD_PATH = '/admin/queues';

/**
 * Who may do what on the board. The queues are shared by every organization and their jobs carry
 * only ids, so an organization admin may look (depths, failures, workers) but not act: pausing,
 * retrying, cleaning or removing queue jobs changes the work of all organizations and is for system
 * admins. The admin guard refuses non-GET calls from anyone else; on top of that each queue is
 * registered twice, a full adapter that only system admins see and a read-only one that only
 * organization admins see, so the board itself shows each viewer only the actions they may take.
 */
type Viewer = 'system' | 'organization';

/** Keyed by the request's header object, which the Fastify adapter hands to bull-board as is. */
const viewers = new WeakMap<object, Viewer>();

export function markBoardViewer(headers: IncomingHttpHeaders, actor: Actor): void {
  viewers.set(headers, isSystemAdmin(actor) ? 'system' : 'organization');
}

const READ_ONLY_PREFIX = 'read-only:';

function adapterFor(queue: Queue, viewer: Viewer): BullMQAdapter {
  const readOnly = viewer === 'organization';
  const adapter = new BullMQAdapter(queue, {
    readOnlyMode: readOnly,
    displayName: queue.name,
    // Plan and chunk jobs carry their bulk job's id: link to its page (404 for other organizations).
    // The periodic jobs have none; bull-board shows no link for undefined (its type says otherwise).
    externalJobUrl: (job) => {
      const jobId = (job.data as { jobId?: unknown } | undefined)?.jobId;
      const link = typeof jobId === 'string' ? { displayText: 'bulk job page', href: `/admin/jobs/${encodeURIComponent(jobId)}` } : undefined;
      return link as { displayText: string; href: string };
    },
    // The board keys queues by prefix + name, so the two views of one queue need distinct keys.
    ...(readOnly ? { prefix: READ_ONLY_PREFIX, delimiter: ':', description: 'read-only: queue actions need a system-admin token' } : {}),
  });
  adapter.setVisibilityGuard((request) => viewers.get(request.headers) === viewer);
  return adapter;
}

/** The bull-board plugin over the given queues; register it under BOARD_PATH. */
export function queueBoard(queues: readonly Queue[]): FastifyPluginCallback {
  const server = new FastifyAdapter();
  server.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: [...queues.map((q) => adapterFor(q, 'system')), ...queues.map((q) => adapterFor(q, 'organization'))],
    serverAdapter: server,
    options: { uiConfig: { boardTitle: 'bulkops queues' } },
  });
  return server.registerPlugin();
}
