import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, mock, test } from 'node:test';
import { loadBackend, type Tf } from '../../src/engine/backend';
import { loadCheckpoint } from '../../src/engine/checkpoint/checkpoint';
import { CheckpointError } from '../../src/engine/checkpoint/errors';
import { createHandlers } from '../../src/engine/handlers';
import { disposeModelParts } from '../../src/engine/models/modelKind';
import type { TrainParams } from '../../src/shared/protocol';
import { rejectsInOneLine } from '../support/helpers';

let tf: Tf;
let scratch: string;
/** A 2 MiB tmpfs when the tests run as root and may mount one: a disk that really fills. */
let tmpfs: string | undefined;

before(async () => {
  ({ tf } = await loadBackend());
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'latent-lab-disk-full-'));
  if (process.getuid?.() !== 0) return;
  const mountPoint = path.join(scratch, 'tmpfs');
  await fs.mkdir(mountPoint);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'ignore', timeout: 10_000 });
    tmpfs = mountPoint;
  } catch {
    // No mount privilege (a container without CAP_SYS_ADMIN): the injected failure still runs.
  }
});

after(async () => {
  if (tmpfs) execFileSync('umount', ['-l', tmpfs], { stdio: 'ignore', timeout: 10_000 });
  await fs.rm(scratch, { recursive: true, force: true });
});

const context = () => ({ signal: new AbortController().signal, emit: () => undefined });

/** ENOSPC as Node reports it, from every checkpoint file written under `out`'s temp folders. */
function injectEnospc(out: string): () => void {
  const open = fs.open.bind(fs);
  const injected = mock.method(fs, 'open', async (...args: Parameters<typeof fs.open>) => {
    const handle = await open(...args);
    if (String(args[0]).startsWith(`${out}.tmp-`)) {
      handle.writeFile = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' }));
    }
    return handle;
  });
  return () => injected.mock.restore();
}

/** Fills the tmpfs but for 16 KiB: room for the run's lock, not for a checkpoint. */
async function fillTmpfs(root: string): Promise<() => Promise<void>> {
  const margin = path.join(root, 'margin');
  const filler = path.join(root, 'filler');
  await fs.writeFile(margin, Buffer.alloc(16 * 1024));
  const handle = await fs.open(filler, 'w');
  try {
    const chunk = Buffer.alloc(4096);
    for (;;) await handle.write(chunk);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    await handle.close();
  }
  await fs.rm(margin);
  return () => fs.rm(filler);
}

async function loadedEpoch(dir: string): Promise<number> {
  const loaded = await loadCheckpoint(tf, dir);
  disposeModelParts(loaded.parts);
  return loaded.meta.epoch;
}

for (const how of ['injected ENOSPC', 'a full tmpfs'] as const) {
  test(`disk full (${how}): the save fails in one line naming the folder, the previous checkpoint still loads, the engine keeps serving`, async (t) => {
    if (how === 'a full tmpfs' && !tmpfs) return t.skip('needs root and mount -t tmpfs; the injected ENOSPC covers the same path');
    const root = how === 'a full tmpfs' ? tmpfs! : scratch;
    const out = path.join(root, 'run');
    const handlers = createHandlers();
    const params: TrainParams = { model: 'ae', data: 'sample', limit: 256, epochs: 1, latentDim: 2, config: { hidden: [8] }, out };
    await handlers.train(params, context());
    assert.equal(await loadedEpoch(out), 1);

    const free = how === 'a full tmpfs' ? await fillTmpfs(root) : injectEnospc(out);
    const tensors = tf.memory().numTensors;
    try {
      await rejectsInOneLine(
        handlers.train({ ...params, epochs: 2, resume: true }, context()),
        CheckpointError,
        new RegExp(`^cannot save the checkpoint ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the disk is full \\(ENOSPC: no space left on device, write\\); the folder was left as it was — free space on that disk or train into a folder on another one$`),
      );
    } finally {
      await free();
    }
    assert.equal(tf.memory().numTensors, tensors, 'the failed run freed its tensors');
    assert.deepEqual((await fs.readdir(root)).filter((name) => name.startsWith('run')), ['run'], 'no temp folder and no lock are left');
    assert.equal(await loadedEpoch(out), 1, 'the previous checkpoint still loads');
    assert.equal((await handlers.info({}, context())).backend, tf.getBackend(), 'the engine answers the next request');
    const resumed = await handlers.train({ ...params, epochs: 2, resume: true }, context());
    assert.equal(resumed.epoch, 2, 'with space again, the same run resumes from the kept checkpoint');
    assert.equal(await loadedEpoch(out), 2);
  });
}
