/**
 * Our t-SNE against openTSNE on the latents of bench/umap.ts (70,000 MNIST digits encoded to 16-d by
 * a one-epoch dense AE):
 *   tsneTimeRatio   seconds of our projectLatents('tsne') / openTSNE's fit (target ≤ 1.0)
 *   tsneTrustDelta  trustworthiness (k = 10) ours − openTSNE's, both on the fixed 5,000 rows of the
 *                   UMAP bench and by one function, checked against sklearn's (target ≥ −0.01)
 * Both run 750 iterations (250 exaggerated) at perplexity 30 from a PCA start. openTSNE runs in the
 * reference venv (bench/python/tsne_reference.py) on every core; the sides alternate, fastest of each.
 * Usage: npm run bench -- --only tsneTimeRatio [--quick]
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { encodeNpy, parseNpy } from '../src/engine/data/readers/npy';
import type { BenchOptions, Figure } from './figures';
import { alternateRounds, checkedTrust, describe, fastest, LATENT, peerInputs, type Reference, startReference, type TimedRun, TRUST_K } from './umap';

const ROUNDS = 2;
/** One openTSNE fit of 70,000 points takes about a minute here; this bounds a stuck one. */
const FIT_TIMEOUT_MS = 900_000;

interface Summary extends TimedRun {
  openTSNE: string;
  threads: number;
  sklearnTrustworthiness: { ours: number; reference: number };
}

export async function benchTsnePeer(options: BenchOptions): Promise<Figure[]> {
  const inputs = await peerInputs(options, ROUNDS, 'latent-lab-tsne-');
  const { backend, n, rows, rounds, work, file } = inputs;
  const threads = cpus().length;
  const reference = await startReference(file('latents.npy'), file('theirs.npy'), ['--threads', String(threads), '--ours', file('ours.npy'), '--subsample', file('rows.npy'), '--k', String(TRUST_K)], 'tsne_reference.py');
  const bounded = <T>(promise: Promise<T>, what: string) => withDeadline(promise, reference, what);
  try {
    const { ours, oursRuns, theirRuns } = await alternateRounds(inputs, 'tsne', () => bounded(reference.fit(), 'a fit'), 'openTSNE');
    writeFileSync(file('ours.npy'), encodeNpy(ours, [n, 2]));
    const summary = (await bounded(reference.finish(), 'the summary')) as unknown as Summary;
    const theirs = parseNpy(readFileSync(file('theirs.npy')), 'theirs.npy').data as Float32Array;
    const { trustOurs, trustTheirs, disagreement } = checkedTrust(inputs, ours, theirs, summary.sklearnTrustworthiness);

    const [fastestOurs, fastestTheirs] = [fastest(oursRuns), fastest(theirRuns)];
    const ratio = fastestOurs.seconds / fastestTheirs.seconds;
    const delta = trustOurs - trustTheirs;
    const list = (runs: TimedRun[]) => runs.map((run) => run.seconds.toFixed(1)).join(', ');
    return [
      {
        field: 'tsneTimeRatio',
        value: ratio,
        ours: `${describe(fastestOurs)} for ${n} × ${LATENT} MNIST latents (${backend.name}, 750 iterations), fastest of ${rounds} (${list(oursRuns)} s); per CPU-second ratio ${(fastestOurs.cpuSeconds / fastestTheirs.cpuSeconds).toFixed(3)}`,
        reference: `openTSNE ${summary.openTSNE} (FFT, n_jobs ${summary.threads}): ${describe(fastestTheirs)}, fastest of ${rounds} alternating with ours (${list(theirRuns)} s)`,
        target: '≤ 1.0',
        met: ratio <= 1,
      },
      {
        field: 'tsneTrustDelta',
        value: delta,
        ours: `trustworthiness ${trustOurs.toFixed(4)} (k = ${TRUST_K}, ${rows.length} fixed rows; ${delta >= 0 ? '+' : ''}${delta.toFixed(4)} vs openTSNE)`,
        reference: `openTSNE ${trustTheirs.toFixed(4)}; both agree with sklearn's to ${disagreement.toExponential(1)}`,
        target: '≥ −0.01',
        met: delta >= -0.01,
      },
    ];
  } finally {
    reference.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function withDeadline<T>(promise: Promise<T>, reference: Reference, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reference.stop();
          reject(new Error(`openTSNE gave no answer to ${what} within ${FIT_TIMEOUT_MS / 1000} s; killed`));
        }, FIT_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
