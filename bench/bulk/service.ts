import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A child process of the bench: the real service (`node src/main.ts`) or the bare API floor. */
export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The last lines it wrote, for the error when it dies. */
  output: string[];
  /** Where its output goes, when it goes to a file. */
  logPath?: string;
  stop(): Promise<void>;
}

/** Every child still running, so an interrupted bench can stop them. */
const running = new Set<Child>();

export async function stopAllChildren(): Promise<void> {
  for (const c of [...running]) await c.stop();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** When a child is ready: a line of its output contains the text, or the probe answers true. */
export type Readiness = string | (() => Promise<boolean>);

/** The last lines of a log file, for an error message. */
function tailOf(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).slice(-50);
  } catch {
    return [];
  }
}

/**
 * Starts `node <script>` with the bench's own Node and the given environment, and resolves once it
 * is ready. Node flags (e.g. --cpu-prof) go before the script. With `logFile` (relative to the
 * project) the child writes its output straight into that file: a pipe would make the bench
 * process, which also runs the load generator, read every request log line of the service.
 */
export async function startChild(
  name: string,
  script: string,
  env: Record<string, string>,
  ready: Readiness,
  nodeFlags: string[] = [],
  logFile?: string,
): Promise<Child> {
  const logPath = logFile ? resolve(ROOT, logFile) : undefined;
  let fd: number | undefined;
  if (logPath) {
    mkdirSync(dirname(logPath), { recursive: true });
    fd = openSync(logPath, 'w');
  }
  const proc = spawn(process.execPath, [...nodeFlags, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
  });
  if (fd !== undefined) closeSync(fd);
  const output: string[] = [];
  const child: Child = {
    name,
    proc,
    pid: proc.pid ?? 0,
    output,
    ...(logPath ? { logPath } : {}),
    stop: async () => {
      await stopChild(proc);
      running.delete(child);
    },
  };
  running.add(child);
  await new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      if (err) reject(err);
      else resolve();
    };
    const lastLines = () => (logPath ? tailOf(logPath) : output).join('\n');
    const timer = setTimeout(() => finish(new Error(`${name} not ready after 60 s:\n${lastLines()}`)), 60_000);
    const poll = setInterval(() => {
      if (typeof ready === 'function') void ready().then((ok) => ok && finish(), () => {});
      else if (logPath && tailOf(logPath).some((l) => l.includes(ready))) finish();
    }, 100);
    const onData = (chunk: Buffer) => {
      if (done) {
        // Once ready, keep only the tail: request logs must not cost the bench process much.
        output.splice(0, output.length, chunk.toString().slice(-4000));
        return;
      }
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        output.push(line);
        if (output.length > 50) output.shift();
        if (typeof ready === 'string' && line.includes(ready)) finish();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => finish(new Error(`${name} exited with ${code}:\n${lastLines()}`)));
  });
  return child;
}

/** SIGTERM (the service finishes its active chunk and closes), SIGKILL after 20 s. */
async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

export const MAIN_SCRIPT = 'src/main.ts';

/** Resident memory of a process now and at its peak (VmHWM), in MiB; 0 where /proc is absent. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
  } catch {
    return { rssMiB: 0, peakMiB: 0 };
  }
}

/** CPU time of the whole machine so far, over all cores, in seconds. */
export interface MachineCpu {
  busy: number;
  idle: number;
  /** Idle while a disk read or write of this machine was outstanding. */
  iowait: number;
  /** Time the hypervisor ran something else while this machine had work. */
  steal: number;
}

/** The machine's CPU counters now; null where /proc/stat is absent (not Linux). */
export function machineCpu(): MachineCpu | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // cpu user nice system idle iowait irq softirq steal ...; in USER_HZ, 100 a second on Linux.
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map((x) => Number(x) / 100);
    return { busy: user! + nice! + system! + irq! + softirq!, idle: idle!, iowait: iowait!, steal: steal! };
  } catch {
    return null;
  }
}

export function cpuBetween(a: MachineCpu | null, b: MachineCpu | null): MachineCpu | null {
  if (!a || !b) return null;
  return { busy: b.busy - a.busy, idle: b.idle - a.idle, iowait: b.iowait - a.iowait, steal: b.steal - a.steal };
}

/** Samples a process's RSS every `everyMs` until stopped; answers the highest seen. */
export function sampleRss(pid: number, everyMs = 50): { stop(): number } {
  let max = memoryOf(pid).rssMiB;
  const timer = setInterval(() => {
    max = Math.max(max, memoryOf(pid).rssMiB);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(max, memoryOf(pid).rssMiB);
    },
  };
}
