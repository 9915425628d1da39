import { Command, Option } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { CliError } from './client.ts';
import { registerInvocationCommands } from './bulk.command.ts';
import { registerJobCommands } from './job.command.ts';
import { EXIT_ERROR } from './output.ts';

export function buildProgram(): Command {
  const program = new Command()
    .name('bulkops')
    .description('Bulk operations on invocations through a bulkops service, with live progress.')
    .version(pkg.version)
    .addOption(new Option('--url <url>', 'the service').env('BULKOPS_URL').default('http://127.0.0.1:3000'))
    .addOption(new Option('--token <token>', 'bearer token').env('BULKOPS_TOKEN'))
    .option('--json', 'machine-readable output on stdout, no progress bar')
    .addOption(
      new Option('--progress <when>', 'draw the progress bar').choices(['auto', 'always', 'never']).env('BULKOPS_PROGRESS').default('auto'),
    )
    .showHelpAfterError('(bulkops --help lists the commands and options)')
    .addHelpText(
      'after',
      '\nExit codes: 0 every entity succeeded, 2 some failed or were not processed, 1 an error (message on stderr).',
    );
  registerInvocationCommands(program);
  registerJobCommands(program);
  return program;
}

/** Runs the CLI; exit code 1 and the service's message on stderr for any error. */
export async function main(argv: string[] = process.argv): Promise<void> {
  // `bulkops ... | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    const message = e instanceof CliError ? e.message : `unexpected error: ${(e as Error).stack ?? String(e)}`;
    process.stderr.write(`bulkops: ${message}\n`);
    process.exitCode = EXIT_ERROR;
  }
}
