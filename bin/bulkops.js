#!/usr/bin/env node
// Launcher of the bulkops CLI. Its code is TypeScript that Node runs directly (type stripping,
// Node >= 22.18); an older `node` first on the PATH hands over to the project's own Node 24.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 18)) {
  const { main } = await import('../src/cli/main.ts');
  await main(process.argv);
} else {
  const node = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
  if (!existsSync(node)) {
    process.stderr.write(`bulkops: needs Node 22.18 or newer (this is ${process.version}); run npm ci first\n`);
    process.exit(1);
  }
  const run = spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
