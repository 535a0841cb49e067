/**
 * `latent-lab` — the headless face of the engine. Exit 0 on success; on failure one `error: …` line
 * on stderr (a stack trace only with --debug). With --json the last stdout line is one JSON object.
 */
import { loadBackend, triesNative } from '../engine/backend';
import { parseArgs, UsageError } from './args';
import type { CliCommand, CommandOutcome, StandaloneCommand, StandaloneContext } from './command';
import { encodeCommand } from './encode';
import { infoCommand } from './info';
import { inspectCommand } from './inspect';
import { cliStderr, runFiltered } from './nativeLogFilter';
import { setupNativeCommand } from './setupNative';
import { timelineCommand } from './timeline';
import { trainCommand } from './train';

const stderr = cliStderr();

const commands: Record<string, CliCommand | StandaloneCommand> = { info: infoCommand, train: trainCommand, inspect: inspectCommand, encode: encodeCommand, timeline: timelineCommand, 'setup-native': setupNativeCommand };
const globalBooleans = ['json', 'debug', 'help'];

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length)) + 1;
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}${command.summary}\n  ${' '.repeat(width)}latent-lab ${command.usage}`);
  return `usage: latent-lab <command> [options]\n\ncommands:\n${lines.join('\n')}\n\noptions for every command:\n  --json   print one JSON object as the last stdout line\n  --debug  print stack traces on errors`;
}

async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (name === undefined || name === 'help' || name === '--help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}" (try: ${Object.keys(commands).join(', ')})`);
  const args = parseArgs(argv, { booleans: [...globalBooleans, ...(command.booleans ?? [])], values: command.values });
  if (args.flags.has('help')) {
    process.stdout.write(`usage: latent-lab ${command.usage}\n`);
    return 0;
  }
  let run: (context: StandaloneContext) => Promise<CommandOutcome<unknown>>;
  let stopping = 'stopping after the current batch';
  if ('standalone' in command) {
    run = (context) => command.run(context);
    stopping = 'stopping';
  } else {
    // TensorFlow's own logging shows with --debug; otherwise the native backend loads in a filtered child.
    if (!stderr.inChild && !args.flags.has('debug') && triesNative()) return runFiltered(argv);
    const backend = await loadBackend();
    if (!backend.native) stderr.write(`latent-lab: using the ${backend.name} backend: ${backend.fallbackReason}\n`);
    run = (context) => command.run({ ...context, backend });
  }
  // First Ctrl-C asks the command to stop cleanly (training keeps its last checkpoint); a second one exits.
  const controller = new AbortController();
  process.once(stderr.interrupt, () => {
    stderr.write(`latent-lab: ${stopping} (Ctrl-C again to quit now)\n`);
    controller.abort();
    process.once(stderr.interrupt, () => process.exit(130));
  });
  const outcome = await run({ args, signal: controller.signal, note: (line) => stderr.write(`${line}\n`) });
  process.stdout.write(args.flags.has('json') ? `${JSON.stringify(outcome.result)}\n` : `${outcome.human}\n`);
  return outcome.exitCode ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    stderr.write(`error: ${message.split('\n')[0]}\n`);
    if (process.argv.includes('--debug') && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
