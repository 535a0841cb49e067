import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { currentTarget, findBinding, findLibtensorflow, libtensorflowSpec, megabytes, nativeTargets, setupFolder } from '../engine/native/libtensorflow';
import { type SetupProgress, setupProgress, setUpLibtensorflow } from '../engine/native/setup';
import { stringFlag, UsageError } from './args';
import { type CommandOutcome, type StandaloneCommand, table } from './command';

export const setupNativeCommand: StandaloneCommand = {
  standalone: true,
  summary: 'fetch libtensorflow for the native backend with your Python\'s pip (asks first); --check only reports',
  usage: 'setup-native [--check] [--yes] [--python PATH] [--find-links DIR | --index-url URL] [--progress-json] [--json]',
  values: ['python', 'find-links', 'index-url'],
  booleans: ['check', 'yes', 'progress-json'],
  async run({ args, signal, note }) {
    const spec = libtensorflowSpec();
    if (!spec) throw new Error(`the native backend is built for ${nativeTargets.join(', ')} only, not ${currentTarget()}; Latent Lab keeps training on its fallback backend`);
    const binding = findBinding();
    const found = binding === undefined ? undefined : findLibtensorflow(binding, spec);
    const destination = setupFolder(spec);
    const status = {
      target: spec.target,
      version: spec.version,
      requirement: spec.requirement,
      binding: binding ?? null,
      libtensorflow: found ? { dir: found.dir, source: found.source } : null,
      destination,
      downloadBytes: spec.wheelBytes,
      diskBytes: spec.libraryBytes,
    };
    if (args.flags.has('check')) {
      return {
        result: status,
        human: table([
          ['binding', binding ?? 'none in this installation'],
          ['libtensorflow', found ? `${found.dir} (${found.source})` : `not set up (setup-native puts it in ${destination})`],
          ['download', `${spec.requirement}, ${megabytes(spec.wheelBytes)} MB; ${megabytes(spec.libraryBytes)} MB on disk`],
        ]),
      };
    }
    if (binding === undefined) throw new Error(`this installation has no native TensorFlow binding, so libtensorflow would not help (the extension's ${spec.target} package carries one; a checkout builds it with \`npm run provision\`)`);
    if (found) return { result: { ...status, fetched: false }, human: `libtensorflow ${spec.version} is already set up: ${found.dir} (${found.source})` };
    const what = `${spec.requirement} (${megabytes(spec.wheelBytes)} MB) from the Python package index with pip, keeping libtensorflow (${megabytes(spec.libraryBytes)} MB) in ${destination}`;
    if (!args.flags.has('yes') && !(await confirm(what))) return { result: { ...status, fetched: false }, human: 'nothing was fetched', exitCode: 1 };

    const progressJson = args.flags.has('progress-json');
    const show = progressShower(progressJson, note);
    const python = stringFlag(args, 'python');
    const findLinks = stringFlag(args, 'find-links');
    const indexUrl = stringFlag(args, 'index-url');
    if (findLinks && indexUrl) throw new UsageError('give --find-links or --index-url, not both');
    const done = await setUpLibtensorflow({ spec, destination, signal, onProgress: show, ...(python ? { python } : {}), ...(findLinks ? { findLinks } : {}), ...(indexUrl ? { indexUrl } : {}) }).catch((error: unknown) => {
      if (signal.aborted) return undefined;
      throw error;
    });
    if (!done) return cancelled(status);
    show(setupProgress('check', 'checking that the native backend loads'));
    const loaded = await nativeInfo(signal);
    if (!loaded.native) throw new Error(`libtensorflow was set up in ${done.dir}, but the native backend still does not load: ${loaded.fallbackReason ?? 'no reason given'}`);
    return {
      result: { ...status, fetched: true, libtensorflow: loaded.libtensorflow, wheel: done.wheel, sha256: done.sha256, python: done.python, seconds: done.seconds },
      human: `libtensorflow ${spec.version} set up in ${done.dir} in ${done.seconds.toFixed(0)} s (${done.wheel}, sha256 ${done.sha256}, fetched with ${done.python}); the native backend loads from it`,
    };
  },
};

function cancelled(status: object): CommandOutcome<unknown> {
  return { result: { ...status, fetched: false, cancelled: true }, human: 'cancelled; nothing was set up', exitCode: 130 };
}

/** Progress as JSON lines on stdout (what the extension reads), or for people: each stage, then every tenth. */
function progressShower(json: boolean, note: (line: string) => void): (progress: SetupProgress) => void {
  let last: { stage: string; tenth: number } | undefined;
  return (progress) => {
    if (json) {
      process.stdout.write(`${JSON.stringify({ progress })}\n`);
      return;
    }
    const tenth = Math.floor(progress.fraction * 10);
    if (last?.stage === progress.stage && last.tenth === tenth) return;
    last = { stage: progress.stage, tenth };
    note(`latent-lab: ${progress.message}`);
  };
}

/** Asks on the terminal; without one the command needs --yes, so nothing is ever fetched unasked. */
async function confirm(what: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UsageError(`setup-native would download ${what}: confirm with --yes (in a terminal it asks)`);
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<boolean>((resolve) => {
      // In raw mode Ctrl-C reaches readline, not the process: it means no.
      prompt.once('SIGINT', () => resolve(false));
      prompt.question(`Download ${what}? [y/N] `, (answer) => resolve(/^y(es)?$/i.test(answer.trim())));
    });
  } finally {
    prompt.close();
  }
}

interface NativeInfo {
  native: boolean;
  fallbackReason?: string;
  libtensorflow?: { dir: string; source: string };
}

/** A fresh process, since this one may not load TensorFlow twice: this CLI's own `info --json`. */
function nativeInfo(signal: AbortSignal): Promise<NativeInfo> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'info', '--json'], { stdio: ['ignore', 'pipe', 'ignore'], signal });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(stdout.trimEnd().split('\n').pop() ?? '') as NativeInfo);
      } catch {
        reject(new Error(`\`latent-lab info --json\` printed no result after the setup; run it to see why`));
      }
    });
  });
}
