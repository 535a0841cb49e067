/**
 * One UMAP layout thread, started by umapThreads.ts with its share of the edges as workerData:
 * for each epoch it is sent, it runs `layoutEpoch` on that share (the arrays are shared memory)
 * and answers with the epoch. Its own bundle entry (dist/umapWorker.js), beside the engine's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type EpochShare, layoutEpoch } from './umapEpoch';

if (!parentPort) throw new Error('umapWorker runs only as a worker thread started by umapThreads');
const port = parentPort;
const share = workerData as EpochShare;
port.on('message', (epoch: number) => {
  layoutEpoch(share, epoch);
  port.postMessage(epoch);
});
