/**
 * Requests answered while a run trains (issue 18) and training in processes of its own (issue 13),
 * on the built engine (dist/engine.js) forked as the host forks it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { EngineProcess } from '../../src/extension/engineProcess';
import { TrainingProcesses } from '../../src/extension/trainingProcesses';
import type { TrainParams } from '../../src/shared/protocol';
import type { EngineEvent } from '../../src/shared/rpc';
import { distPath, runCli } from '../support/helpers';

const workDir = mkdtempSync(path.join(tmpdir(), 'latent-lab-training-processes-'));
const explorer = new EngineProcess({ enginePath: distPath('engine.js') });
const runs = new TrainingProcesses({ enginePath: distPath('engine.js') });
after(() => {
  runs.dispose();
  explorer.dispose();
  rmSync(workDir, { recursive: true, force: true });
});

/** A conv AE on the sample in batches of 16: an epoch of some 280 steps, long enough to ask things during it. */
const convRun = (name: string, epochs: number): TrainParams => ({ model: 'conv', data: 'sample', epochs, batchSize: 16, out: path.join(workDir, name), config: { filters: [8, 16] } });

const phase = (event: EngineEvent) => (event.data as { phase: string; epoch: number; batch: number }).phase;

test('a request sent mid-epoch is answered before the epoch ends, and a cancel stops the run within a batch', async () => {
  const log: string[] = [];
  const controller = new AbortController();
  let asked = false;
  const result = await explorer.request('train', convRun('mid-epoch', 3), {
    signal: controller.signal,
    onEvent: (event) => {
      if (phase(event) === 'epoch') log.push(`epoch ${(event.data as { epoch: number }).epoch} ended`);
      if (asked || phase(event) !== 'batch' || (event.data as { epoch: number }).epoch !== 2) return;
      asked = true;
      log.push('asked');
      void explorer.request('info', {}).then(() => {
        log.push('info answered');
        controller.abort();
        log.push('cancel sent');
      });
    },
  });
  log.push(`train answered: ${result.status}`);
  assert.deepEqual(log, ['epoch 1 ended', 'asked', 'info answered', 'cancel sent', 'train answered: cancelled'], 'info and the cancel were both answered during epoch 2');
  assert.equal(result.epoch, 1);
  const meta = JSON.parse(readFileSync(path.join(workDir, 'mid-epoch', 'latent-lab.json'), 'utf8')) as { epoch: number; history: unknown[] };
  assert.equal(meta.epoch, 1, 'the checkpoint is epoch 1 as written, not weights from the half-run epoch 2');
  assert.equal(meta.history.length, 1);
});

test('each run trains in a process of its own; the explorer keeps answering, and two runs train at once', async () => {
  const explorerPid = (await explorer.request('info', {})).pid;
  const pids = new Set<number>();
  let answeredWhileTraining = 0;
  const watch = (event: EngineEvent) => {
    for (const pid of runs.pids) pids.add(pid);
    if (phase(event) === 'batch') void explorer.request('info', {}).then((info) => info.pid === explorerPid && answeredWhileTraining++);
  };
  const [first, second] = await Promise.all([
    runs.train({ model: 'ae', data: 'sample', limit: 1000, epochs: 2, out: path.join(workDir, 'first'), config: { hidden: [16] } }, { onEvent: watch }),
    runs.train({ model: 'ae', data: 'sample', limit: 1000, epochs: 2, out: path.join(workDir, 'second'), config: { hidden: [16] } }, { onEvent: watch }),
  ]);
  assert.deepEqual([first.status, second.status], ['completed', 'completed']);
  assert.equal(pids.size, 2, 'two training processes');
  assert.ok(!pids.has(explorerPid) && !pids.has(process.pid), 'neither is the explorer engine nor this process');
  assert.ok(answeredWhileTraining > 0, 'the explorer engine answered while both trained');
  assert.equal(runs.size, 0, 'finished runs leave no process behind');
});

test('a training process killed mid-run loses only that run: one-line error, its last checkpoint loads', async () => {
  let killed = false;
  const failure = await runs
    .train(convRun('killed', 5), {
      onEvent: (event) => {
        if (killed || phase(event) !== 'batch' || (event.data as { epoch: number }).epoch !== 2) return;
        killed = true;
        process.kill(runs.pids[0]!, 'SIGKILL');
      },
    })
    .then(
      () => assert.fail('the run cannot complete once its process is killed'),
      (error: { code: string; message: string }) => error,
    );
  assert.equal(failure.code, 'engine-died');
  assert.match(failure.message, /^the training process stopped \(killed by SIGKILL\); the explorer is unaffected and the last epoch's checkpoint is kept/);
  assert.doesNotMatch(failure.message, /\n/);
  const inspected = await runCli(['inspect', path.join(workDir, 'killed'), '--json']);
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.match(inspected.stdout, /"epoch":1\b/);
  // The killed run's lock stays until the next start in that folder takes it over (test/engine/crashRecovery.test.ts).
  assert.deepEqual(readdirSync(workDir).filter((name) => name.startsWith('killed') && name !== 'killed' && name !== 'killed.lock'), [], 'no temporary folder beside the run');
  assert.ok((await explorer.request('info', {})).pid > 0, 'the explorer engine still answers');
});

test('a training process that does not answer a cancel within the grace period is ended', async () => {
  // A process that reads messages and never answers them: what a run stuck in native code looks like.
  const deaf = path.join(workDir, 'deaf-engine.js');
  writeFileSync(deaf, "process.on('message', () => {}); setInterval(() => {}, 1000);\n");
  const stuck = new TrainingProcesses({ enginePath: deaf }, 300);
  const controller = new AbortController();
  const started = Date.now();
  const pending = stuck.train(convRun('deaf', 1), { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  const failure = await pending.then(
    () => assert.fail('a deaf process cannot finish a run'),
    (error: { code: string; message: string }) => error,
  );
  assert.equal(failure.code, 'cancelled');
  assert.match(failure.message, /did not stop within 0.3 s of the cancel and was ended; the last epoch's checkpoint is kept/);
  assert.ok(Date.now() - started < 3000, 'ended soon after the grace period');
  assert.equal(stuck.size, 0);
  assert.ok(!existsSync(path.join(workDir, 'deaf')));
});
