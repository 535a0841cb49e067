/**
 * The real CLI (dist/cli.js) killed, crowded and starved: SIGKILLs at random moments across epochs
 * and checkpoint writes, two writers on one run folder, a disk that fills. Run `npm run build` first.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadBackend, type Tf } from '../../src/engine/backend';
import { loadCheckpoint } from '../../src/engine/checkpoint/checkpoint';
import { disposeModelParts } from '../../src/engine/models/modelKind';
import { cliErrorLines, distPath, lastJson, runCli } from '../support/helpers';
import { seededRandom } from '../../src/engine/training/random';

const KILLS = 50;
const SEED = 14;
/** A tiny model on 256 digits: an epoch takes tens of milliseconds, so kills land in every stage. */
const trainArgs = (out: string) => ['train', '--model', 'ae', '--data', 'sample', '--limit', '256', '--latent', '2', '--batch-size', '64', '--config', '{"hidden":[8]}', '--out', out];

let tf: Tf;
let scratch: string;
/** Process groups of CLI runs still going, killed if a test ends early. */
const running = new Set<number>();

before(async () => {
  ({ tf } = await loadBackend());
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'latent-lab-crash-'));
});

after(async () => {
  for (const group of running) killGroup(group);
  await fs.rm(scratch, { recursive: true, force: true });
});

type KillMoment = { after: 'start'; delayMs: number } | { after: 'epoch line' | 'temp folder' | 'old folder'; count: number; delayMs: number };

/**
 * Start-up (loading, the lock, recovery), anywhere in the epochs, while a temp folder is written
 * (a save takes a few milliseconds here), and as the old folder appears: the swap and its clean-up.
 */
function drawMoment(random: () => number): KillMoment {
  const pick = random();
  const count = 1 + Math.floor(random() * 3);
  if (pick < 0.1) return { after: 'start', delayMs: Math.round(random() * 900) };
  if (pick < 0.4) return { after: 'epoch line', count, delayMs: Math.round(random() * 30) };
  if (pick < 0.8) return { after: 'temp folder', count, delayMs: Math.round(random() * 6) };
  return { after: 'old folder', count, delayMs: 0 };
}

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Resolves once no process of the group runs any more. The CLI runs training in a child of its own
 * (nativeLogFilter), which outlives its parent's 'close' for a moment, and whose zombie nobody reaps here.
 */
async function groupGone(group: number): Promise<void> {
  if (process.platform !== 'linux') return new Promise((resolve) => setTimeout(resolve, 500));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const members = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return pgrp === String(group) && state !== 'Z';
      } catch {
        return false;
      }
    });
    if (members.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`process group ${group} still runs 10 s after SIGKILL`);
}

interface KilledRun {
  stderr: string;
  /** Set when the run ended before the kill: then it failed, and stderr says why. */
  exitCode?: number | null;
}

/**
 * Trains into `out` as a process group of its own and SIGKILLs the group at `moment` (or when `kill`
 * is called); `onEpochLine` sees each epoch number as the CLI prints it.
 */
function runUntilKilled(out: string, args: string[], moment: KillMoment | undefined, onEpochLine: (epoch: number) => void): { kill(): void; done: Promise<KilledRun> } {
  const child = spawn(process.execPath, [distPath('cli.js'), ...trainArgs(out), ...args], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const group = child.pid!;
  running.add(group);
  let killed = false;
  const kill = () => {
    killed = true;
    killGroup(group);
  };
  const timers = [setTimeout(() => killGroup(group), 60_000)];
  const killAfter = (ms: number) => timers.push(setTimeout(kill, ms));
  const folders = new Set<string>();
  const watcher = watch(path.dirname(out), (_event, name) => {
    if ((moment?.after !== 'temp folder' && moment?.after !== 'old folder') || !name || folders.has(name)) return;
    const prefix = `${path.basename(out)}.${moment.after === 'temp folder' ? 'tmp' : 'old'}-`;
    // Temp names are also used for the lock's scratch file, a file; old folders may be gone already.
    if (!name.startsWith(prefix) || (moment.after === 'temp folder' && !isFolder(path.join(path.dirname(out), name)))) return;
    folders.add(name);
    if (folders.size === moment.count) killAfter(moment.delayMs);
  });
  if (moment?.after === 'start') killAfter(moment.delayMs);
  const done = new Promise<KilledRun>((resolve, reject) => {
    let stderr = '';
    let partial = '';
    let epochLines = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const epoch = /^epoch (\d+)\/\d+ /.exec(line);
        if (!epoch) continue;
        onEpochLine(Number(epoch[1]));
        if (moment?.after === 'epoch line' && ++epochLines === moment.count) killAfter(moment.delayMs);
      }
    });
    child.on('close', (code) => {
      for (const timer of timers) clearTimeout(timer);
      watcher.close();
      groupGone(group).then(() => {
        running.delete(group);
        resolve(killed ? { stderr } : { stderr, exitCode: code });
      }, reject);
    });
  });
  return { kill, done };
}

/** The writer's own save moves the folder away for a moment: try again then. */
async function moveWhenPresent(from: string, to: string): Promise<void> {
  await until(async () => fs.rename(from, to).then(() => true, (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : Promise.reject(error))), `${from} to be there to move`);
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting ${timeoutMs / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

async function loadedEpoch(dir: string): Promise<number> {
  const loaded = await loadCheckpoint(tf, dir);
  disposeModelParts(loaded.parts);
  assert.equal(loaded.meta.history.length, loaded.meta.epoch, 'the metadata is one save\'s: its history ends at its epoch');
  return loaded.meta.epoch;
}

const scratchOf = (dir: string, base: string) => readdirSync(dir).filter((name) => name.startsWith(`${base}.tmp-`) || name.startsWith(`${base}.old-`));

test(`${KILLS} SIGKILLs at random moments across epochs and checkpoint writes lose no checkpoint; --resume continues; no temp folder outlives the next start`, async () => {
  const started = Date.now();
  const dir = await fs.mkdtemp(path.join(scratch, 'kills-'));
  const run = path.join(dir, 'run');
  const random = seededRandom(SEED);
  const figures = { crashKills: 0, checkpointsLost: 0, killsBeforeFirstEpochLine: 0, killsDuringWrite: 0, killsInSwap: 0, restoredByLoad: 0, resumesChecked: 0, staleLocksTakenOver: 0, leftoversCleanedOnNextStart: 0, leftoversNotCleaned: 0 };
  const problems: string[] = [];
  /** Epoch of the last checkpoint seen loadable; 0 while there is none. */
  let epoch = 0;
  /** Temp and old folders of killed runs: gone once a later run prints its first epoch. */
  let pending = new Set<string>();

  for (let kill = 0; kill < KILLS; kill++) {
    const moment = drawMoment(random);
    const resumedFrom = epoch;
    let firstLine = true;
    const { done } = runUntilKilled(run, ['--epochs', '100000', ...(resumedFrom > 0 ? ['--resume'] : [])], moment, (printed) => {
      if (!firstLine) return;
      firstLine = false;
      if (printed !== resumedFrom + 1) problems.push(`kill ${kill}: the run started at epoch ${printed}, expected ${resumedFrom + 1}`);
      if (resumedFrom > 0) figures.resumesChecked++;
      const left = [...pending].filter((name) => existsSync(path.join(dir, name)));
      figures.leftoversCleanedOnNextStart += pending.size - left.length;
      figures.leftoversNotCleaned += left.length;
      if (left.length > 0) problems.push(`kill ${kill}: ${left.join(', ')} survived the next start`);
      pending = new Set();
    });
    const outcome = await done;
    assert.equal(outcome.exitCode, undefined, `run ${kill} ended by itself before its kill (${JSON.stringify(moment)}): ${outcome.stderr}`);
    figures.crashKills++;
    if (firstLine) figures.killsBeforeFirstEpochLine++;
    if (/took over the lock of process \d+/.test(outcome.stderr)) figures.staleLocksTakenOver++;

    // What this run left, not what earlier ones left and it was killed too early to clear.
    const names = readdirSync(dir).filter((name) => !pending.has(name));
    const olds = names.filter((name) => name.startsWith('run.old-'));
    if (olds.length > 0) figures.killsInSwap++;
    else if (names.some((name) => name.startsWith('run.tmp-') && statSync(path.join(dir, name)).isDirectory())) figures.killsDuringWrite++;
    if (!names.includes('run') && olds.length > 0) figures.restoredByLoad++;
    try {
      const loaded = await loadedEpoch(run);
      if (loaded < epoch) problems.push(`kill ${kill}: the checkpoint went back from epoch ${epoch} to ${loaded}`);
      epoch = loaded;
    } catch (error) {
      if (epoch > 0) {
        figures.checkpointsLost++;
        problems.push(`kill ${kill} (${JSON.stringify(moment)}): no loadable checkpoint: ${(error as Error).message}`);
      }
    }
    for (const name of scratchOf(dir, 'run')) pending.add(name);
  }

  const final = await runCli([...trainArgs(run), '--epochs', String(epoch + 2), '--resume', '--json']);
  assert.equal(final.code, 0, final.stderr);
  assert.equal(lastJson(final.stdout).status, 'completed');
  assert.equal(lastJson(final.stdout).epochs, epoch + 2);
  assert.match(final.stderr, new RegExp(`^epoch ${epoch + 1}/${epoch + 2} `, 'm'), 'the last run resumed from the checkpoint the kills left');
  figures.leftoversCleanedOnNextStart += [...pending].filter((name) => !existsSync(path.join(dir, name))).length;
  assert.deepEqual(readdirSync(dir), ['run'], 'no temp folder, old folder or lock is left');
  const inspected = await runCli(['inspect', run, '--json']);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.equal(lastJson(inspected.stdout).kind, 'ae');
  const encoded = await runCli(['encode', '--checkpoint', run, '--data', 'sample', '--limit', '40', '--out', path.join(scratch, 'latents.npy'), '--json']);
  assert.equal(encoded.code, 0, encoded.stderr);

  console.log(JSON.stringify({ ...figures, finalEpoch: epoch + 2, seed: SEED, seconds: Math.round((Date.now() - started) / 1000) }));
  assert.deepEqual(problems, []);
  assert.equal(figures.checkpointsLost, 0);
  assert.equal(figures.crashKills, KILLS);
});

test('two writers: a second train into a folder being trained fails at once in one line; a deleted run is written again; a killed writer\'s lock is taken over', async () => {
  const dir = await fs.mkdtemp(path.join(scratch, 'writers-'));
  const run = path.join(dir, 'run');
  let epochs = 0;
  const first = runUntilKilled(run, ['--epochs', '100000'], undefined, () => epochs++);
  await until(() => epochs > 0, 'the first writer\'s first epoch');
  const holder = (JSON.parse(readFileSync(`${run}.lock`, 'utf8')) as { pid: number }).pid;
  for (const extra of [[], ['--resume']]) {
    const startedAt = Date.now();
    const second = await runCli([...trainArgs(run), '--epochs', '1', ...extra]);
    assert.equal(second.code, 1, second.stderr);
    assert.deepEqual(cliErrorLines(second.stderr).map((line) => line.replace(/ since \S+;/, ' since T;')), [
      `error: ${run} is being trained by process ${holder} since T; wait for that run to end or stop it, or train into another folder (if no run is training into it, delete ${run}.lock)`,
    ]);
    assert.doesNotMatch(second.stderr, /^epoch /m, `the second writer (${extra.join(' ') || 'fresh'}) trained nothing (${Date.now() - startedAt} ms)`);
  }

  // Deleting a run moves it to the trash (VS Code's delete): the writer's next save puts a complete one back.
  const trashed = path.join(scratch, 'trashed-run');
  await moveWhenPresent(run, trashed);
  await until(() => existsSync(run), 'the writer to save the deleted run again');
  assert.ok((await loadedEpoch(run)) > (await loadedEpoch(trashed)), 'a later epoch written after the delete');

  first.kill();
  assert.equal((await first.done).exitCode, undefined, 'the first writer was killed, not ended');
  assert.ok(existsSync(`${run}.lock`), 'a killed run leaves its lock');
  const epoch = await loadedEpoch(run);
  const third = await runCli([...trainArgs(run), '--epochs', String(epoch + 1), '--resume', '--json']);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stderr, new RegExp(`^${run.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: took over the lock of process ${holder}, which ended without releasing it$`, 'm'));
  assert.deepEqual(readdirSync(dir), ['run']);
});

test('disk full: train fails with one error line naming the folder; the checkpoint before still loads and resumes', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to mount a small tmpfs (test/engine/diskFull.test.ts injects ENOSPC instead)');
  const mountPoint = await fs.mkdtemp(path.join(scratch, 'tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return t.skip('mount -t tmpfs is not permitted here (test/engine/diskFull.test.ts injects ENOSPC instead)');
  }
  t.after(() => execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore', timeout: 10_000 }));
  const run = path.join(mountPoint, 'run');
  assert.equal((await runCli([...trainArgs(run), '--epochs', '1'])).code, 0);
  // All but 16 KiB taken: room for the lock, not for a checkpoint.
  await fs.writeFile(path.join(mountPoint, 'margin'), Buffer.alloc(16 * 1024));
  const filler = await fs.open(path.join(mountPoint, 'filler'), 'w');
  await assert.rejects(
    (async () => {
      for (;;) await filler.write(Buffer.alloc(4096));
    })(),
    { code: 'ENOSPC' },
  );
  await filler.close();
  await fs.rm(path.join(mountPoint, 'margin'));

  const full = await runCli([...trainArgs(run), '--epochs', '2', '--resume']);
  assert.equal(full.code, 1);
  assert.deepEqual(cliErrorLines(full.stderr), [
    `error: cannot save the checkpoint ${run}: the disk is full (ENOSPC: no space left on device, write); the folder was left as it was — free space on that disk or train into a folder on another one`,
  ]);
  assert.deepEqual(readdirSync(mountPoint).sort(), ['filler', 'run']);
  assert.equal(await loadedEpoch(run), 1);
  await fs.rm(path.join(mountPoint, 'filler'));
  const resumed = await runCli([...trainArgs(run), '--epochs', '2', '--resume', '--json']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(await loadedEpoch(run), 2);
});
