import { EventSourceParserStream } from 'eventsource-parser/stream';
import { type ApiClient, CliError } from './client.ts';
import { FINISHED, type Job } from './output.ts';

const MAX_RECONNECTS = 5;

/**
 * Follows a job over its Server-Sent Events until the final `done` event, calling `onProgress`
 * with each job resource. If the stream breaks (the API restarted, a proxy timed out) the job is
 * read once and the stream opened again, a few times, before giving up.
 */
export async function followJob(client: ApiClient, jobId: string, onProgress: (job: Job) => void): Promise<Job> {
  for (let attempt = 0; ; attempt++) {
    const res = await client.request('GET', `/job/${jobId}/events`, { headers: { accept: 'text/event-stream' } });
    const done = await readEvents(res, onProgress).catch(() => undefined);
    if (done) return done;
    const { body: job } = await client.json<Job>('GET', `/job/${jobId}`);
    if (FINISHED.has(job.State)) return job;
    if (attempt >= MAX_RECONNECTS) throw new CliError(`lost the event stream of job ${jobId}; it goes on: bulkops job watch ${jobId}`);
    onProgress(job);
    await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
  }
}

async function readEvents(res: Response, onProgress: (job: Job) => void): Promise<Job | undefined> {
  if (!res.body) return undefined;
  const events = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const event of events) {
    const job = JSON.parse(event.data) as Job;
    // Leaving the loop cancels the stream, which closes the connection.
    if (event.event === 'done') return job;
    onProgress(job);
  }
  return undefined;
}
