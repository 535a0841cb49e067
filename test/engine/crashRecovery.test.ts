import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadBackend, type Tf } from '../../src/engine/backend';
import { recoverFolder, scratchPath } from '../../src/engine/checkpoint/atomicDir';
import { loadCheckpoint, saveCheckpoint } from '../../src/engine/checkpoint/checkpoint';
import { CheckpointError } from '../../src/engine/checkpoint/errors';
import { isProcessAlive } from '../../src/engine/checkpoint/liveProcess';
import type { CheckpointMetaInput } from '../../src/engine/checkpoint/meta';
import { lockRunFolder } from '../../src/engine/checkpoint/runLock';
import { createHandlers } from '../../src/engine/handlers';
import { disposeModelParts, type ModelParts } from '../../src/engine/models/modelKind';
import { rejectsInOneLine } from '../support/helpers';

let tf: Tf;
let scratch: string;
let counter = 0;
/** A process id that was real a moment ago and is no longer running. */
let deadPid: number;

before(async () => {
  ({ tf } = await loadBackend());
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'latent-lab-recovery-'));
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  deadPid = child.pid!;
});

after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

async function freshTarget(): Promise<string> {
  const dir = path.join(scratch, `case-${counter++}`);
  await fs.mkdir(dir);
  return path.join(dir, 'run');
}

function parts(): ModelParts {
  const encoder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 2 })] });
  const decoder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 6 })] });
  return { encoder, decoder, extraVariables: {} };
}

function meta(epoch: number): CheckpointMetaInput {
  return {
    kind: 'ae',
    config: {},
    inputShape: [6],
    latentDim: 2,
    normalization: { kind: 'minmax', min: [0], max: [1] },
    metrics: { loss: 1 },
    history: Array.from({ length: epoch }, (_, i) => ({ epoch: i + 1, loss: 1 })),
    epoch,
  };
}

/** A complete checkpoint of `epoch` written at `dir` by the real writer. */
async function checkpointAt(dir: string, epoch: number): Promise<void> {
  const model = parts();
  await saveCheckpoint(tf, dir, model, meta(epoch));
  disposeModelParts(model);
}

async function loadedEpoch(dir: string): Promise<number> {
  const loaded = await loadCheckpoint(tf, dir);
  disposeModelParts(loaded.parts);
  return loaded.meta.epoch;
}

const siblings = async (target: string) => (await fs.readdir(path.dirname(target))).sort();

/**
 * Every state a save can be killed in, as replaceFolder leaves it: the previous checkpoint is epoch 1,
 * the one being saved epoch 2. `expected` is what the folder must hold once recovered.
 */
const instants: { name: string; expected: number; arrange(target: string, temp: string, old: string): Promise<void> }[] = [
  { name: 'while the temp folder is written (encoder only)', expected: 1, arrange: async (target, temp) => {
    await checkpointAt(target, 1);
    await checkpointAt(temp, 2);
    await fs.rm(path.join(temp, 'decoder'), { recursive: true });
    await fs.rm(path.join(temp, 'latent-lab.json'));
  } },
  { name: 'after the temp folder is complete, before the swap', expected: 1, arrange: async (target, temp) => {
    await checkpointAt(target, 1);
    await checkpointAt(temp, 2);
  } },
  { name: 'between the two renames (the folder is missing)', expected: 2, arrange: async (_target, temp, old) => {
    await checkpointAt(old, 1);
    await checkpointAt(temp, 2);
  } },
  { name: 'after the swap, before the old folder is removed', expected: 2, arrange: async (target, _temp, old) => {
    await checkpointAt(target, 2);
    await checkpointAt(old, 1);
  } },
  { name: 'while the old folder is removed', expected: 2, arrange: async (target, _temp, old) => {
    await checkpointAt(target, 2);
    await checkpointAt(old, 1);
    await fs.rm(path.join(old, 'encoder'), { recursive: true });
  } },
  { name: 'a failed save putting the old folder back (the temp one is half deleted)', expected: 1, arrange: async (target, temp) => {
    await checkpointAt(target, 1);
    await fs.mkdir(path.join(temp, 'encoder'), { recursive: true });
  } },
  { name: 'the old folder moved aside and its temp twin already gone', expected: 1, arrange: async (_target, _temp, old) => {
    await checkpointAt(old, 1);
  } },
];

describe('a save killed at any instant leaves a loadable checkpoint', () => {
  for (const instant of instants) {
    test(instant.name, async () => {
      const target = await freshTarget();
      const suffix = `${deadPid}-0123abcd`;
      await instant.arrange(target, scratchPath(target, 'tmp', suffix), scratchPath(target, 'old', suffix));
      // A load recovers the folder when it is missing; one that exists is read as it is.
      assert.equal(await loadedEpoch(target), instant.expected);
      await recoverFolder(target);
      assert.deepEqual(await siblings(target), ['run'], 'what the dead writer left is gone');
      assert.equal(await loadedEpoch(target), instant.expected);
      // The next save still works on the recovered folder.
      await checkpointAt(target, 3);
      assert.equal(await loadedEpoch(target), 3);
    });
  }

  test('a save removes dead writers\' leftovers and never a live process\'s temp folder', async () => {
    const target = await freshTarget();
    await checkpointAt(target, 1);
    const dead = scratchPath(target, 'tmp', `${deadPid}-00000001`);
    const live = scratchPath(target, 'tmp', `${process.pid}-00000002`);
    const unrelated = `${target}.tmp-notes`;
    await Promise.all([dead, live, unrelated].map((dir) => fs.mkdir(dir)));
    await checkpointAt(target, 2);
    assert.deepEqual(await siblings(target), ['run', 'run.tmp-notes', path.basename(live)].sort());
    assert.equal(await loadedEpoch(target), 2);
  });

  test('a training start clears what killed runs left beside every run in its folder, and only that', async () => {
    const parent = path.dirname(await freshTarget());
    const cut = path.join(parent, 'cut');
    const dead = `${deadPid}-0000000a`;
    await checkpointAt(scratchPath(cut, 'old', dead), 1);
    await checkpointAt(scratchPath(cut, 'tmp', dead), 2);
    await checkpointAt(path.join(parent, 'kept'), 1);
    await fs.mkdir(scratchPath(path.join(parent, 'kept'), 'tmp', dead));
    const lock = (pid: number, host = os.hostname()) => JSON.stringify({ pid, host, token: 't', since: 'then' });
    await fs.writeFile(path.join(parent, 'kept.lock'), lock(deadPid));
    await fs.writeFile(path.join(parent, 'live.lock'), lock(process.pid));
    await fs.writeFile(path.join(parent, 'remote.lock'), lock(deadPid, 'elsewhere'));
    await fs.writeFile(path.join(parent, 'notes.lock'), 'mine');
    const live = scratchPath(path.join(parent, 'live'));
    await fs.mkdir(live);

    await createHandlers().train({ model: 'ae', data: 'sample', limit: 64, epochs: 1, latentDim: 2, config: { hidden: [8] }, out: path.join(parent, 'new') }, { signal: new AbortController().signal, emit: () => undefined });
    assert.deepEqual(await fs.readdir(parent).then((names) => names.sort()), ['cut', 'kept', 'live.lock', 'new', 'notes.lock', 'remote.lock', path.basename(live)].sort());
    assert.equal(await loadedEpoch(cut), 2, 'the save cut between its renames was finished');
    assert.equal(await loadedEpoch(path.join(parent, 'kept')), 1);
  });

  test('a process is alive while it runs, and not once it has exited (zombies included)', async () => {
    assert.equal(isProcessAlive(process.pid), true);
    assert.equal(isProcessAlive(deadPid), false);
    assert.equal(isProcessAlive(0), false);
  });
});

test('a load while a run saves into the folder reads one whole checkpoint, the previous or the new one', async () => {
  const target = await freshTarget();
  await checkpointAt(target, 1);
  // The writer saves until the reader has loaded often enough, so how many loads land between saves
  // does not depend on how fast this machine loads relative to how fast it saves.
  const wantedLoads = 12;
  const maxSaves = 400;
  const epochs: number[] = [];
  let saving = true;
  const writer = (async () => {
    // The history grows with the epoch, so latent-lab.json changes size on every save: a file measured
    // in one folder and read in the next would come out truncated.
    for (let epoch = 2; epoch <= maxSaves && saving && epochs.length < wantedLoads; epoch++) await checkpointAt(target, epoch * 50);
  })().finally(() => (saving = false));
  try {
    while (saving) epochs.push(await loadedEpoch(target));
  } finally {
    saving = false;
    await writer;
  }
  assert.ok(epochs.length >= wantedLoads, `loaded ${epochs.length} times in ${maxSaves} saves`);
  assert.deepEqual(epochs, [...epochs].sort((a, b) => a - b), 'loads never go back to an older checkpoint');
  assert.ok(epochs.every((epoch) => epoch === 1 || epoch % 50 === 0));
  assert.deepEqual(await siblings(target), ['run']);
});

describe('one writer per run folder', () => {
  test('a second lock on a folder being trained fails at once in one line; release frees it', async () => {
    const target = await freshTarget();
    const lock = await lockRunFolder(target);
    const holder = JSON.parse(await fs.readFile(`${target}.lock`, 'utf8')) as { pid: number };
    assert.equal(holder.pid, process.pid);
    await rejectsInOneLine(lockRunFolder(target), CheckpointError, new RegExp(`^${escape(target)} is being trained by process ${process.pid} since \\S+; wait for that run to end or stop it, or train into another folder \\(if no run is training into it, delete ${escape(target)}\\.lock\\)$`));
    await lock.release();
    assert.deepEqual(await siblings(target), []);
    const again = await lockRunFolder(target);
    await again.release();
  });

  test('a lock left by a dead process is taken over, with a note', async () => {
    const target = await freshTarget();
    await fs.writeFile(`${target}.lock`, JSON.stringify({ pid: deadPid, host: os.hostname(), token: 'dead', since: '2026-01-01T00:00:00.000Z' }));
    const notes: string[] = [];
    const lock = await lockRunFolder(target, (line) => notes.push(line));
    assert.deepEqual(notes, [`${target}: took over the lock of process ${deadPid}, which ended without releasing it`]);
    assert.equal((JSON.parse(await fs.readFile(`${target}.lock`, 'utf8')) as { pid: number }).pid, process.pid);
    await lock.release();
    assert.deepEqual(await siblings(target), []);
  });

  test('a lock from another machine, or one Latent Lab did not write, is never taken over', async () => {
    const target = await freshTarget();
    await fs.writeFile(`${target}.lock`, JSON.stringify({ pid: deadPid, host: 'elsewhere', token: 'x', since: 'then' }));
    await rejectsInOneLine(lockRunFolder(target), CheckpointError, new RegExp(`is being trained by process ${deadPid} on elsewhere since then;`));
    await fs.writeFile(`${target}.lock`, 'not json');
    await rejectsInOneLine(lockRunFolder(target), CheckpointError, /run\.lock is not a run lock written by Latent Lab, so .*run may be in use; delete .*run\.lock if no run is training into it$/);
    assert.deepEqual(await siblings(target), ['run.lock'], 'no scratch files are left behind');
  });

  test('a run folder whose parent did not exist leaves no empty folders behind', async () => {
    const base = await freshTarget();
    const target = path.join(base, 'runs', 'run');
    const lock = await lockRunFolder(target);
    await lock.release();
    await assert.rejects(fs.stat(base), { code: 'ENOENT' });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
