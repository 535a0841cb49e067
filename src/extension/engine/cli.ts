/**
 * `latent-lab` — the headless face of the engine. Exit 0 on success; on failure one `error: …` line
 * on stderr (a stack trace only with --debug). With --json the last stdout line is one JSON object.
 */
import type { EngineInfo } from '../../shared/protocol';
import { loadBackend } from './backend';
import { parseArgs, type ParsedArgs, UsageError } from './cliArgs';
import { engineInfo } from './engineInfo';

const usage = `usage: latent-lab <command> [options]

commands:
  info                 show the tfjs backend in use and versions

options:
  --json               print one JSON object as the last stdout line
  --debug              print stack traces on errors`;

type Command = (args: ParsedArgs) => Promise<unknown>;

const commands: Record<string, { run: Command; human: (result: never) => string }> = {
  info: { run: () => engineInfo(), human: formatInfo },
};

function formatInfo(info: EngineInfo): string {
  return [
    `backend      ${info.backend}${info.native ? ' (native TensorFlow)' : ' (fallback)'}`,
    `tfjs         ${info.tfjsVersion}`,
    `node         ${info.node}`,
    `latent-lab   ${info.engineVersion}`,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json', 'debug', 'help'], values: [] });
  if (args.command === undefined || args.command === 'help' || args.flags.has('help')) {
    process.stdout.write(`${usage}\n`);
    return args.command === undefined ? 2 : 0;
  }
  const command = commands[args.command];
  if (!command) throw new UsageError(`unknown command "${args.command}" (try: ${Object.keys(commands).join(', ')})`);
  const backend = await loadBackend();
  if (!backend.native) process.stderr.write(`latent-lab: using the ${backend.name} backend: ${backend.fallbackReason}\n`);
  const result = await command.run(args);
  process.stdout.write(args.flags.has('json') ? `${JSON.stringify(result)}\n` : `${command.human(result as never)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const debug = process.argv.includes('--debug');
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message.split('\n')[0]}\n`);
    if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
