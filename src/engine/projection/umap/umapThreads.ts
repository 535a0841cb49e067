/**
 * UMAP's layout epochs, run in worker threads when there is more than one share of the edges: the
 * positions and edge arrays live in shared memory, each thread runs `layoutEpoch` on its share, and
 * this thread waits for all of them between epochs, where it reports progress. A cancel does not
 * wait for the epoch (about a second at a million points): the threads are stopped mid-epoch.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pause, unlessAborted, type ProjectionOptions } from '../progress';
import { layoutEpoch, type EpochShare } from './umapEpoch';

/**
 * The worker lies beside this module in the form this module runs in: dist/umapWorker.js beside
 * dist/engine.js, the bundle that includes this file, or umapWorker.ts from source (tests,
 * benchmarks). There the inherited `--import tsx` would not do: Node 20 runs no `--import` preload
 * in a worker, yet still loads its main file as an ES module, which fails on `.ts`; tsx's require
 * hook alone loads it, found from the working folder as `--import tsx` was.
 */
const fromSource = path.extname(__filename) === '.ts';
const workerFile = path.join(__dirname, fromSource ? 'umapWorker.ts' : 'umapWorker.js');
const workerArgv = fromSource ? ['--require', 'tsx/cjs'] : undefined;

interface LayoutThread {
  worker: Worker;
  run(epoch: number): Promise<void>;
}

/** Runs `epochs` epochs over the shares, which must all hold the same `live` and `start` arrays. */
export async function runLayoutEpochs(shares: EpochShare[], epochs: number, options: ProjectionOptions): Promise<void> {
  const { live, start } = shares[0]!;
  const threads = shares.length > 1 ? shares.map(startThread) : [];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      start.set(live);
      if (threads.length > 0) await unlessAborted(Promise.all(threads.map((thread) => thread.run(epoch))), options.signal);
      else layoutEpoch(shares[0]!, epoch);
      options.onProgress?.((epoch + 1) / epochs, 'layout');
      await pause(options.signal);
    }
  } finally {
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }
}

function startThread(share: EpochShare): LayoutThread {
  const worker = new Worker(workerFile, { workerData: share, execArgv: workerArgv });
  let waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure = error;
    waiting?.reject(error);
  };
  worker.on('message', () => waiting?.resolve());
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`a UMAP layout thread stopped (exit code ${code})`)));
  return {
    worker,
    run: (epoch) =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        waiting = { resolve, reject };
        worker.postMessage(epoch);
      }),
  };
}
