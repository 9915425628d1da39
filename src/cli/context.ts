import type { Command } from 'commander';
import { ApiClient } from './client.ts';
import type { ProgressMode } from './progress.ts';

/** What every command needs, from the global options (and their environment variables). */
export interface CliContext {
  client: ApiClient;
  json: boolean;
  progress: ProgressMode;
  out: (text: string) => void;
  note: (text: string) => void;
}

interface GlobalOptions {
  url: string;
  token?: string;
  json?: boolean;
  progress: ProgressMode;
}

export function contextOf(command: Command): CliContext {
  const o = command.optsWithGlobals<GlobalOptions>();
  return {
    client: new ApiClient(o.url, o.token ?? ''),
    json: o.json === true,
    progress: o.json ? 'never' : o.progress,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    note: (text) => process.stderr.write(`${text}\n`),
  };
}
