import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOGGER = fileURLToPath(new URL('../../src/infra/logger.ts', import.meta.url));

/** Runs a script in a fresh Node process and answers what it wrote on stdout. */
function stdoutOf(script: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
}

describe('the process logger', () => {
  it('writes lines still in its batch buffer when the process exits at once', () => {
    const out = stdoutOf(`
      import { createLogger } from ${JSON.stringify(LOGGER)};
      const log = createLogger({ LOG_LEVEL: 'info', ROLE: 'api' });
      for (let i = 0; i < 3; i++) log.info({ i }, 'line before exit');
      process.exit(0);`);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.msg, l.i, l.role])).toEqual([0, 1, 2].map((i) => ['line before exit', i, 'api']));
  });

  it('writes a line within a fraction of a second on a quiet process, without waiting for a full batch', () => {
    const out = stdoutOf(`
      import { createLogger } from ${JSON.stringify(LOGGER)};
      const log = createLogger({ LOG_LEVEL: 'info', ROLE: 'worker' });
      log.info('quiet line');
      // Exit without the exit hook's flush once the line has reached stdout by itself.
      process.stdout.on('error', () => {});
      setTimeout(() => process.reallyExit(0), 500);`);
    expect(out).toContain('"msg":"quiet line"');
  });
});
