/**
 * UMAP's layout epochs, run in worker threads when there is more than one share of the edges: the
 * positions and edge arrays live in shared memory, each thread runs `layoutEpoch` on its share, and
 * this thread waits for all of them between epochs, where it reports progress and checks for a
 * cancel. The workers run the epoch code from its source text, so the bundle needs no extra file;
 * the call goes by the function's own name, which a minifying bundler may have changed.
 */
import { Worker } from 'node:worker_threads';
import { pause, type ProjectionOptions } from '../progress';
import { layoutEpoch, squaredDistancePower, type EpochShare } from './umapEpoch';

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
${squaredDistancePower.toString()}
${layoutEpoch.toString()}
parentPort.on('message', (epoch) => {
  ${layoutEpoch.name}(workerData, epoch);
  parentPort.postMessage(epoch);
});
`;

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
      if (threads.length > 0) await Promise.all(threads.map((thread) => thread.run(epoch)));
      else layoutEpoch(shares[0]!, epoch);
      options.onProgress?.((epoch + 1) / epochs, 'layout');
      await pause(options.signal);
    }
  } finally {
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }
}

function startThread(share: EpochShare): LayoutThread {
  const worker = new Worker(workerSource, { eval: true, workerData: share });
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
