import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ADD_BULK_BATCH, DEFAULT_JOB_OPTIONS, type JobPayload, QUEUE_NAME, queueJobId } from './registry.ts';

/** Queue jobs in these states are over: an add with their id would be silently dropped. */
const SPENT_STATES = new Set(['failed', 'completed']);

/** The producer side, used by the API (plan) and by workers (chunks, re-enqueues). */
export class JobQueue {
  readonly queue: Queue;

  constructor(connection: Redis, prefix?: string) {
    this.queue = new Queue(QUEUE_NAME, {
      connection,
      ...(prefix ? { prefix } : {}),
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
  }

  async enqueuePlan(jobId: string): Promise<void> {
    const payload: JobPayload<'plan'> = { jobId };
    await this.queue.add('plan', payload, { jobId: queueJobId.plan(payload) });
  }

  async enqueueChunks(jobId: string, chunks: readonly number[]): Promise<void> {
    for (let i = 0; i < chunks.length; i += ADD_BULK_BATCH) {
      const batch = chunks.slice(i, i + ADD_BULK_BATCH).map((chunk) => {
        const data: JobPayload<'chunk'> = { jobId, chunk };
        return { name: 'chunk', data, opts: { jobId: queueJobId.chunk(data) } };
      });
      await this.queue.addBulk(batch);
    }
  }

  /**
   * Enqueues again work that PostgreSQL says is unfinished. A queue job that used up its attempts
   * (PostgreSQL away longer than the backoff) stays in BullMQ's failed set under the same id, and
   * BullMQ drops an add whose id exists; such spent entries are removed first. Entries still
   * waiting, delayed or active are left alone: they will run.
   */
  async reenqueuePlan(jobId: string): Promise<void> {
    await this.dropSpent([queueJobId.plan({ jobId })]);
    await this.enqueuePlan(jobId);
  }

  async reenqueueChunks(jobId: string, chunks: readonly number[]): Promise<void> {
    for (let i = 0; i < chunks.length; i += ADD_BULK_BATCH) {
      const batch = chunks.slice(i, i + ADD_BULK_BATCH);
      await this.dropSpent(batch.map((chunk) => queueJobId.chunk({ jobId, chunk })));
      await this.enqueueChunks(jobId, batch);
    }
  }

  private async dropSpent(ids: string[]): Promise<void> {
    const states = await Promise.all(ids.map((id) => this.queue.getJobState(id)));
    const spent = ids.filter((_, i) => SPENT_STATES.has(states[i]!));
    await Promise.all(spent.map((id) => this.queue.remove(id)));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
