/**
 * The projections at up to a million points, against umap-learn on the same latents in the same run:
 *   umapTimeRatio1M   seconds of our projectLatents('umap') / umap-learn's, at the largest count
 *                     umap-learn finished within its time cap (a million unless the cap stopped it)
 *   umapTrustDelta1M  trustworthiness (k = 10) ours − umap-learn's there, on a fixed seeded
 *                     10,000-row subsample, by one function checked against sklearn's
 *   umapCancelMs1M    the slowest of five cancels of our UMAP at the top count, one in each stage,
 *                     sent from a timer (so a held event loop counts): cancel due → rejection
 *   tsneMs            our t-SNE at the largest count it was timed at (the curve in the text), and
 *   tsneMs1MEstimate  its time at a million points: the exact search as n², the rest linear in n
 *                     with a constant (the grid FFT of each iteration) through the last two counts
 * Both UMAPs run at each count of a growth curve; umap-learn stops at the first count whose
 * predicted or actual time would take its fits past the cap (--cap-minutes, default 30), and both
 * curves are printed. At each count the sides alternate, ours first, so both meet the same load.
 * Latents: the conv VAE's latents of the million digits if bench/scaleEngine.ts has written them,
 * else synthetic ones (ten clusters, each a 4-d sheet in 16-d with a little noise), as the text says.
 * Usage: npm run bench -- --only scale [--quick] [--counts 70000,140000] [--tsne-counts 25000,50000]
 *        [--cap-minutes 30] [--rounds 2]   (--rounds: alternations at counts below 500,000; 1 above)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadBackend } from '../src/engine/backend';
import { encodeNpy, parseNpy } from '../src/engine/data/readers/npy';
import { projectLatents } from '../src/engine/projection/projectLatents';
import { tsne } from '../src/engine/projection/tsne/tsne';
import { seededRandom } from '../src/engine/training/random';
import { benchCache } from './cachedCheckpoint';
import type { BenchOptions, Figure } from './figures';
import { benchFlag } from './mnist';
import { cpuSecondsSince, describe, fastest, fixedSubsample, startReference, subsampleTrust, type TimedRun, TRUST_AGREEMENT, TRUST_K } from './umap';

type Tf = Awaited<ReturnType<typeof loadBackend>>['tf'];

const LATENT = 16;
const COUNTS = [70_000, 140_000, 280_000, 560_000, 1_000_000];
const QUICK_COUNTS = [20_000, 40_000];
const TSNE_COUNTS = [50_000, 100_000];
const QUICK_TSNE_COUNTS = [10_000, 20_000];
const TRUST_ROWS = 10_000;
/** Counts from here on get one alternation: a round there takes minutes a side. */
const ONE_ROUND_FROM = 500_000;
/** umap-learn's time is predicted from the last count as growing a little faster than n. */
const PREDICTED_GROWTH = 1.15;
/** Our UMAP is cancelled once in each stage, this long after the stage begins. */
const CANCEL_STAGES = ['neighbours', 'affinities', 'graph', 'start', 'layout'];
const CANCEL_DELAY_MS = 300;

interface Cancel {
  stage: string;
  /** The stage running when the cancel arrived (a short stage may have ended before it). */
  cancelledIn: string;
  ms: number;
}

interface CurvePoint {
  n: number;
  ours: TimedRun[];
  theirs: TimedRun[];
  trustOurs: number;
  trustTheirs?: number;
}

interface TsneTime {
  n: number;
  run: TimedRun;
  /** Seconds of the exact neighbour search, the O(n²) step. */
  searchSeconds: number;
}

export async function benchScaleProjection(options: BenchOptions): Promise<Figure[]> {
  const { tf } = await loadBackend();
  const counts = listFlag('counts') ?? (options.quick ? QUICK_COUNTS : COUNTS);
  const top = Math.max(...counts);
  const { latents, source } = benchLatents(top);
  const capSeconds = benchFlag('cap-minutes', 30) * 60;
  const rounds = benchFlag('rounds', options.quick ? 1 : 2);
  const work = mkdtempSync(path.join(tmpdir(), 'latent-lab-scale-projection-'));
  const curve: CurvePoint[] = [];
  let referenceSeconds = 0;
  let referenceStopped: string | undefined;
  let peakRssMb = 0;
  try {
    for (const n of counts) {
      const data = latents.subarray(0, n * LATENT);
      const rows = fixedSubsample(n, TRUST_ROWS);
      const alternations = n >= ONE_ROUND_FROM ? 1 : rounds;
      const last = [...curve].reverse().find((point) => point.theirs.length > 0);
      const predicted = last ? fastest(last.theirs).seconds * (n / last.n) * PREDICTED_GROWTH * alternations : 0;
      if (!referenceStopped && referenceSeconds + predicted > capSeconds) referenceStopped = `predicted ${predicted.toFixed(0)} s at ${n.toLocaleString('en')} would pass the ${capSeconds / 60}-minute cap`;
      const file = (name: string) => path.join(work, `${name}-${n}.npy`);
      writeFileSync(file('latents'), encodeNpy(data, [n, LATENT]));
      writeFileSync(file('rows'), encodeNpy(Float32Array.from(rows), [rows.length]));
      const reference = referenceStopped ? undefined : await startReference(file('latents'), file('theirs'), ['--ours', file('ours'), '--subsample', file('rows'), '--k', String(TRUST_K)]);
      const point: CurvePoint = { n, ours: [], theirs: [], trustOurs: NaN };
      try {
        let ours: Float32Array = new Float32Array(0);
        for (let round = 0; round < alternations; round++) {
          const [start, cpu] = [performance.now(), process.cpuUsage()];
          ours = (await projectLatents(tf, data, n, LATENT, 'umap')).coordinates;
          point.ours.push({ seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSecondsSince(cpu) });
          peakRssMb = Math.max(peakRssMb, process.resourceUsage().maxRSS / 1024);
          if (reference && !referenceStopped) {
            const fit = await withinSeconds(reference.fit(), capSeconds - referenceSeconds);
            if (fit) {
              point.theirs.push(fit);
              referenceSeconds += fit.seconds;
            } else {
              // A count umap-learn did not finish is not compared, whatever its earlier rounds gave.
              referenceStopped = `its fit at ${n.toLocaleString('en')} passed the ${capSeconds / 60}-minute cap`;
              point.theirs.length = 0;
              reference.stop();
            }
          }
          log(`${n.toLocaleString('en')} round ${round + 1}: ours ${describe(point.ours.at(-1)!)}${point.theirs[round] ? `, umap-learn ${describe(point.theirs[round]!)}` : ''}`);
        }
        point.trustOurs = subsampleTrust(data, ours, rows);
        if (reference && point.theirs.length > 0) {
          writeFileSync(file('ours'), encodeNpy(ours, [n, 2]));
          const summary = await reference.finish();
          const theirs = parseNpy(readFileSync(file('theirs')), 'theirs.npy').data as Float32Array;
          point.trustTheirs = subsampleTrust(data, theirs, rows);
          const disagreement = Math.max(Math.abs(point.trustOurs - summary.sklearnTrustworthiness.ours), Math.abs(point.trustTheirs - summary.sklearnTrustworthiness.reference));
          if (!(disagreement <= TRUST_AGREEMENT)) throw new Error(`trustworthiness disagrees with sklearn's by ${disagreement} at ${n} points`);
        }
      } finally {
        reference?.stop();
      }
      curve.push(point);
    }
    const cancelMs = await cancelLatencies(tf, latents.subarray(0, top * LATENT), top);
    const tsneCurve = await tsneTimes(tf, latents, listFlag('tsne-counts') ?? (options.quick ? QUICK_TSNE_COUNTS : TSNE_COUNTS));
    return figures({ curve, source, referenceStopped, capSeconds, peakRssMb, cancelMs, tsneCurve });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The first `count` rows of the engine bench's million latents, or synthetic ones where it has not run. */
function benchLatents(count: number): { latents: Float32Array; source: string } {
  const file = path.join(benchCache, 'digits1m', 'latents-1000000.npy');
  if (existsSync(file)) {
    const { data, shape } = parseNpy(readFileSync(file), file);
    if (shape[1] === LATENT && shape[0]! >= count && data instanceof Float32Array) return { latents: data.subarray(0, count * LATENT), source: 'conv VAE latents of MNIST digits and shifted copies (bench/scaleEngine.ts)' };
  }
  return { latents: syntheticLatents(count), source: 'synthetic latents (ten clusters, each a 4-d sheet in 16-d plus noise of 0.05; no real latents in the bench cache)' };
}

/** Point i in cluster i % 10: a centre, a random 4-d linear sheet through it, and isotropic noise. */
function syntheticLatents(count: number, seed = 3): Float32Array {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const [clusters, sheet] = [10, 4];
  const centres = Float64Array.from({ length: clusters * LATENT }, () => 3 * gaussian());
  const axes = Float64Array.from({ length: clusters * LATENT * sheet }, () => gaussian() / 2);
  const out = new Float32Array(count * LATENT);
  const along = new Float64Array(sheet);
  for (let i = 0; i < count; i++) {
    const c = i % clusters;
    for (let a = 0; a < sheet; a++) along[a] = gaussian();
    for (let t = 0; t < LATENT; t++) {
      let value = centres[c * LATENT + t]! + 0.05 * gaussian();
      for (let a = 0; a < sheet; a++) value += axes[(c * LATENT + t) * sheet + a]! * along[a]!;
      out[i * LATENT + t] = value;
    }
  }
  return out;
}

/**
 * Milliseconds from a cancel to the rejection, for a cancel sent CANCEL_DELAY_MS after each stage of
 * our UMAP begins, from a timer as a cancel message would arrive: a timer late because the event
 * loop was held counts in the latency.
 */
async function cancelLatencies(tf: Tf, data: Float32Array, n: number): Promise<Cancel[]> {
  const results: Cancel[] = [];
  for (const stage of CANCEL_STAGES) {
    const controller = new AbortController();
    let [due, current, cancelledIn] = [0, '', ''];
    const run = projectLatents(tf, data, n, LATENT, 'umap', {
      signal: controller.signal,
      onProgress: (_fraction, reported) => {
        current = reported;
        if (reported !== stage || due) return;
        due = performance.now() + CANCEL_DELAY_MS;
        setTimeout(() => {
          cancelledIn = current;
          controller.abort();
        }, CANCEL_DELAY_MS);
      },
    });
    await run.then(
      () => {
        throw new Error(`bench: a UMAP cancelled in its ${stage} stage finished anyway`);
      },
      (error: unknown) => {
        if (!(error instanceof Error && error.name === 'AbortError')) throw error;
      },
    );
    results.push({ stage, cancelledIn, ms: performance.now() - due });
    log(`cancel ${CANCEL_DELAY_MS} ms into ${stage} (landed in ${cancelledIn}): ${results.at(-1)!.ms.toFixed(0)} ms`);
  }
  return results;
}

async function tsneTimes(tf: Tf, latents: Float32Array, counts: number[]): Promise<TsneTime[]> {
  const times: TsneTime[] = [];
  for (const n of counts) {
    const [start, cpu] = [performance.now(), process.cpuUsage()];
    let searched = 0;
    await tsne(tf, latents.subarray(0, n * LATENT), n, LATENT, {
      onProgress: (_fraction, stage) => {
        if (stage !== 'neighbours' && searched === 0) searched = performance.now();
      },
    });
    times.push({ n, run: { seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSecondsSince(cpu) }, searchSeconds: (searched - start) / 1000 });
    log(`t-SNE ${n.toLocaleString('en')}: ${describe(times.at(-1)!.run)}, of which ${times.at(-1)!.searchSeconds.toFixed(1)} s exact neighbour search`);
  }
  return times;
}

/**
 * t-SNE's time at n: the exact search grows as n² from the largest count; the rest, a per-iteration
 * FFT of a fixed-size grid plus work per point, as a + b·n through the last two counts.
 */
function extrapolate(times: TsneTime[], n: number): { seconds: number; searchSeconds: number } {
  const [small, large] = times.slice(-2) as [TsneTime, TsneTime];
  const rest = (time: TsneTime) => time.run.seconds - time.searchSeconds;
  const perPoint = (rest(large) - rest(small)) / (large.n - small.n);
  const searchSeconds = large.searchSeconds * (n / large.n) ** 2;
  return { seconds: searchSeconds + rest(large) + perPoint * (n - large.n), searchSeconds };
}

function figures(result: { curve: CurvePoint[]; source: string; referenceStopped: string | undefined; capSeconds: number; peakRssMb: number; cancelMs: Cancel[]; tsneCurve: TsneTime[] }): Figure[] {
  const { curve, source, referenceStopped, capSeconds, peakRssMb, cancelMs, tsneCurve } = result;
  const compared = [...curve].reverse().find((point) => point.theirs.length > 0 && point.trustTheirs !== undefined);
  if (!compared) throw new Error('bench: umap-learn finished no count within its cap');
  const top = curve.at(-1)!;
  const spread = (runs: TimedRun[]) => runs.map((run) => run.seconds.toFixed(1)).join(' / ');
  const ourCurve = curve.map((point) => `${point.n.toLocaleString('en')}: ${fastest(point.ours).seconds.toFixed(1)} s (runs ${spread(point.ours)}; T ${point.trustOurs.toFixed(4)})`).join(', ');
  const theirCurve = curve.map((point) => `${point.n.toLocaleString('en')}: ${point.theirs.length > 0 ? `${fastest(point.theirs).seconds.toFixed(1)} s (runs ${spread(point.theirs)}; T ${point.trustTheirs?.toFixed(4)})` : 'not run'}`).join(', ');
  const ratio = fastest(compared.ours).seconds / fastest(compared.theirs).seconds;
  const delta = compared.trustOurs - compared.trustTheirs!;
  const where = `${compared.n.toLocaleString('en')} × ${LATENT} ${source}`;
  const stopped = referenceStopped ? `; umap-learn stopped: ${referenceStopped}, so the comparison is at ${compared.n.toLocaleString('en')}` : '';
  const slowestCancel = Math.max(...cancelMs.map(({ ms }) => ms));
  const tsneTop = tsneCurve.at(-1)!;
  const estimate = extrapolate(tsneCurve, 1_000_000);
  return [
    {
      field: 'umapTimeRatio1M',
      value: ratio,
      ours: `${describe(fastest(compared.ours))} for ${where}, peak RSS ${Math.round(peakRssMb).toLocaleString('en')} MiB (the bench process); curve ${ourCurve}`,
      reference: `umap-learn ${describe(fastest(compared.theirs))}, alternating with ours, cap ${capSeconds / 60} min of fits${stopped}; curve ${theirCurve}`,
      target: '≤ 0.5',
      met: ratio <= 0.5,
    },
    {
      field: 'umapTrustDelta1M',
      value: delta,
      ours: `trustworthiness ${compared.trustOurs.toFixed(4)} (k = ${TRUST_K}, ${Math.min(TRUST_ROWS, compared.n).toLocaleString('en')} fixed rows of ${compared.n.toLocaleString('en')})`,
      reference: `umap-learn ${compared.trustTheirs!.toFixed(4)}; both agree with sklearn's`,
      target: '≥ −0.01',
      met: delta >= -0.01,
    },
    {
      field: 'umapCancelMs1M',
      value: Math.round(slowestCancel),
      ours: `cancel (from a timer, ${CANCEL_DELAY_MS} ms into each stage) → rejection at ${top.n.toLocaleString('en')} points: ${cancelMs.map(({ stage, cancelledIn, ms }) => `${stage}${cancelledIn === stage ? '' : ` (landed in ${cancelledIn})`} ${ms.toFixed(0)} ms`).join(', ')}`,
      reference: 'none',
      target: '≤ 1000',
      met: slowestCancel <= 1000,
    },
    {
      field: 'tsneMs',
      value: Math.round(tsneTop.run.seconds * 1000),
      ours: `t-SNE (750 iterations, exact kNN) ${tsneCurve.map(({ n, run, searchSeconds }) => `${n.toLocaleString('en')}: ${describe(run)}, search ${searchSeconds.toFixed(1)} s`).join(', ')}`,
      reference: 'none (a figure to watch)',
      target: '—',
      met: true,
    },
    {
      field: 'tsneMs1MEstimate',
      value: Math.round(estimate.seconds * 1000),
      ours: `≈ ${(estimate.seconds / 60).toFixed(0)} min at 1,000,000 points, ${(estimate.searchSeconds / 60).toFixed(0)} of them the exact search (n² from the largest count; the rest a + b·n through the last two)`,
      reference: 'none',
      target: '—',
      met: true,
    },
  ];
}

/** Resolves to the fit, or to undefined once `seconds` have passed without it. */
async function withinSeconds(fit: Promise<TimedRun>, seconds: number): Promise<TimedRun | undefined> {
  const timer = { id: undefined as ReturnType<typeof setTimeout> | undefined };
  const late = new Promise<undefined>((resolve) => {
    timer.id = setTimeout(() => resolve(undefined), Math.max(0, seconds) * 1000);
  });
  try {
    return await Promise.race([fit, late]);
  } finally {
    clearTimeout(timer.id);
  }
}

function listFlag(name: string): number[] | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]!.split(',').map(Number) : undefined;
}

function log(line: string): void {
  process.stderr.write(`scale projection: ${line}\n`);
}
