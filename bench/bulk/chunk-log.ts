import { readFileSync } from 'node:fs';
import { median } from './stats.ts';

/**
 * How one bulk job spent its time inside the workers, read from their logs (each queue job logs
 * "queue job done" with its seconds at level info): how long planning took, and the median time
 * of a chunk in each tenth of the job's chunks, in chunk order (the order of the targets). A job
 * whose chunks slow down or speed up part way shows it here; its total time does not.
 */
export interface JobPhases {
  planSeconds: number;
  chunks: number;
  /** Median ms of a chunk per tenth of the chunks; fewer parts when the job has fewer than 10 chunks. */
  chunkMsByTenth: number[];
}

interface QueueJobLine {
  msg?: string;
  jobId?: string;
  queueJobName?: string;
  chunk?: number;
  seconds?: number;
}

/** From the text of the workers' logs; null when they hold no planning line for the job (a log level above info). */
export function jobPhases(logs: readonly string[], jobId: string): JobPhases | null {
  let planSeconds: number | undefined;
  // A chunk run twice (a retry) counts with its last run.
  const chunkSeconds = new Map<number, number>();
  for (const text of logs) {
    for (const line of text.split('\n')) {
      if (!line.includes(jobId) || !line.includes('"queue job done"')) continue;
      let l: QueueJobLine;
      try {
        l = JSON.parse(line) as QueueJobLine;
      } catch {
        continue; // a line cut by a write still in flight
      }
      if (l.jobId !== jobId || l.msg !== 'queue job done' || typeof l.seconds !== 'number') continue;
      if (l.queueJobName === 'plan') planSeconds = l.seconds;
      else if (l.queueJobName === 'chunk' && typeof l.chunk === 'number') chunkSeconds.set(l.chunk, l.seconds);
    }
  }
  if (planSeconds === undefined) return null;
  const ordered = [...chunkSeconds.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s * 1000);
  const parts = Math.min(10, ordered.length);
  const chunkMsByTenth: number[] = [];
  for (let p = 0; p < parts; p++) {
    chunkMsByTenth.push(median(ordered.slice(Math.floor((p * ordered.length) / parts), Math.floor(((p + 1) * ordered.length) / parts))));
  }
  return { planSeconds, chunks: ordered.length, chunkMsByTenth };
}

export function readLogs(paths: readonly string[]): string[] {
  return paths.map((p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  });
}
