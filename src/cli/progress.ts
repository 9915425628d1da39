import cliProgress from 'cli-progress';
import type { Job } from './output.ts';

export type ProgressMode = 'auto' | 'always' | 'never';

export interface Progress {
  update(job: Job): void;
  stop(): void;
}

const NONE: Progress = { update: () => {}, stop: () => {} };

/** `12s`, `3m04s`, `1h02m`: an ETA short enough for one terminal line. */
export function shortDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds)) return '?';
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Entities per second since the job started (until it finished), and the seconds left at that rate. */
export function rateAndEta(job: Job, now = Date.now()): { rate: number; eta: number } {
  const done = job.Succeeded + job.Failed;
  const end = job.FinishedAt ? Date.parse(job.FinishedAt) : now;
  const elapsed = job.StartedAt ? (end - Date.parse(job.StartedAt)) / 1000 : 0;
  const rate = elapsed > 0 ? done / elapsed : 0;
  const left = (job.Total ?? 0) - done;
  return { rate, eta: rate > 0 ? left / rate : left === 0 ? 0 : Number.POSITIVE_INFINITY };
}

/**
 * A live bar on stderr, fed by the job's progress events: entities done of total, rate and ETA
 * measured from the job's own StartedAt (so they are right even when watching a job started
 * elsewhere). `auto` draws only on a terminal; `always` also draws to a pipe (one line per tick).
 */
export function createProgress(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (mode === 'never' || (mode === 'auto' && !stream.isTTY)) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      format: '{operation} [{bar}] {percentage}% | {value}/{total} entities | {rate}/s | ETA {eta_short} | {failed} failed',
      stream,
      hideCursor: true,
      noTTYOutput: mode === 'always',
      notTTYSchedule: 250,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(job) {
      // Still planning, or refused as a whole (nothing to measure): no bar.
      if (job.Total === undefined || job.Error) return;
      const { rate, eta } = rateAndEta(job);
      const operation = job.State === 'paused' ? `${job.Operation} (paused)` : job.Operation;
      const payload = { operation, rate: Math.round(rate), eta_short: shortDuration(eta), failed: job.Failed };
      const done = job.Succeeded + job.Failed;
      if (!started) bar.start(job.Total, done, payload);
      else bar.update(done, payload);
      started = true;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
