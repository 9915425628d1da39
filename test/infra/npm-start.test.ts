import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, databaseUrl, dropTestDatabase } from '../helpers/db.ts';
import { until } from '../helpers/wait.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dbName: string;
beforeAll(async () => {
  dbName = await createTestDatabase();
});
afterAll(async () => dropTestDatabase(dbName));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A supervisor that runs the README's `npm start` stops the service by signalling npm. npm passes
 * the signal to its script's process; a shell in between would take it and leave the service
 * running without its parent.
 */
it('SIGTERM to `npm start` reaches the service, which shuts down and exits', async () => {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ROLE: 'api',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl(dbName),
      QUEUE_PREFIX: `bulkops-test-${dbName}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const npmExited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  const started = await until(async () => /"pid":(\d+)[^\n]*"msg":"bulkops started"/.exec(out), (m) => m !== null);
  expect(started, out).not.toBeNull();
  const servicePid = Number(started![1]);
  expect(servicePid).not.toBe(npm.pid);

  npm.kill('SIGTERM');
  await npmExited;
  const running = await until(async () => alive(servicePid), (a) => !a, 15_000);
  if (running) process.kill(servicePid, 'SIGKILL');
  expect(running, `the service (pid ${servicePid}) still ran after npm exited:\n${out}`).toBe(false);
  expect(out).toContain('"msg":"shutting down"');
}, 60_000);
