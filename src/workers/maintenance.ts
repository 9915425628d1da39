/**
 * Periodic passes (the reconciler, the retention sweep) run on each worker process's own timers,
 * not as BullMQ job schedulers: a scheduler lives in Redis and vanishes with a FLUSHALL or the
 * restart of a Redis without persistence, which is exactly when the reconciler is needed. Every
 * pass is idempotent, so several worker processes running them is harmless.
 */
export interface PeriodicTask {
  name: string;
  everyMs: number;
  /** Run once right away: a start after a crash or a Redis loss should not wait a whole period. */
  runAtStart: boolean;
  run: () => Promise<unknown>;
}

export interface Maintenance {
  /** Stops the timers and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function startMaintenance(tasks: PeriodicTask[], onError: (task: string, err: unknown) => void): Maintenance {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();

  const schedule = (task: PeriodicTask, delay: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const pass = task
        .run()
        .then(() => undefined, (err: unknown) => onError(task.name, err))
        .finally(() => {
          running.delete(pass);
          schedule(task, task.everyMs); // the next pass starts a period after this one ends: no overlap
        });
      running.add(pass);
    }, delay);
    timers.add(timer);
  };
  for (const task of tasks) schedule(task, task.runAtStart ? 0 : task.everyMs);

  return {
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([...running]);
    },
  };
}
