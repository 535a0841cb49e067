/**
 * Training against every peer, ours through `runTraining` as in bench/train.ts, the peers in
 * long-lived reference processes (bench/python/keras_peers.py, torch_peers.py), alternating round
 * by round on the same MNIST digits, best of each side; samples per CPU-second beside samples/s.
 *   trainRatioVsKerasXla   conv VAE vs the faster of Keras' default and Keras with jit_compile=True
 *   trainRatioVsTorch      conv VAE vs the fastest of PyTorch eager (NCHW, channels-last) and torch.compile
 *   trainRatioVsKeras{ConvAe,BetaVae,VqVae,DenseAe}   each kind vs Keras' default
 * The bench fails with one line when a peer's parameter count differs from ours.
 * Alone: npm run bench -- --only trainRatioVsTorch,trainRatioVsKerasDenseAe [--quick]
 */
import { cpus } from 'node:os';
import { type Backend, loadBackend } from '../src/engine/backend';
import type { BenchOptions, Figure } from './figures';
import { mnistTrainPath } from './mnist';
import { PeerProcess } from './peerProcess';
import { BATCH, LATENT, type Measured, type OurModel, type Schedule, trainOurs } from './train';

interface PeerRun extends Measured {
  framework: string;
}

interface Side {
  label: string;
  runs: Measured[];
}

/** A peer variant: how to ask for one run of it. */
interface Variant {
  label: string;
  peer: 'keras' | 'torch';
  command: Record<string, unknown>;
  schedule: Schedule;
  timeoutMs: number;
}

const threads = cpus().length;

function convSchedule(options: BenchOptions): Schedule {
  return options.quick ? { warmup: 5, steps: 20, rounds: 1 } : { warmup: 10, steps: 80, rounds: 3 };
}

export async function benchTrainConvVaePeers(options: BenchOptions): Promise<Figure[]> {
  const schedule = convSchedule(options);
  // PyTorch's CPU steps here are several times slower than either TensorFlow's: fewer of them keep a round short.
  const torchSchedule: Schedule = options.quick ? { warmup: 5, steps: 10, rounds: 1 } : { warmup: 8, steps: 24, rounds: schedule.rounds };
  const keras = (jit: boolean): Variant => ({ label: jit ? 'Keras, jit_compile=True (XLA)' : 'Keras default (tf.function, no XLA)', peer: 'keras', command: { op: 'train', kind: 'vae', jit }, schedule, timeoutMs: 300_000 });
  const torch = (mode: 'eager' | 'compile', channelsLast: boolean): Variant => ({
    label: `PyTorch ${mode === 'eager' ? 'eager' : 'torch.compile'}${channelsLast ? ', channels-last' : ''}`,
    peer: 'torch',
    command: { op: 'train', mode, channelsLast },
    schedule: torchSchedule,
    timeoutMs: 600_000,
  });
  const variants = [keras(false), keras(true), torch('eager', false), torch('eager', true), torch('compile', false)];
  const { ours, peers, params, frameworks } = await alternate({ model: 'vae', config: { encoder: 'conv' } }, schedule, variants);
  const kerasSides = peers.slice(0, 2);
  const torchSides = peers.slice(2);
  return [
    figure('trainRatioVsKerasXla', 'conv VAE', ours, kerasSides, params, frameworks.keras!, schedule),
    figure('trainRatioVsTorch', 'conv VAE', ours, torchSides, params, frameworks.torch!, schedule, torchSchedule),
  ];
}

/** The other kinds against Keras' default, one bench each so that `--only` can pick one. */
export function benchTrainKind(field: string, title: string, kind: OurModel, kerasKind: string, dense: boolean): (options: BenchOptions) => Promise<Figure[]> {
  return async (options) => {
    // A dense step takes a few milliseconds: more of them make the timed span long enough to read.
    const schedule: Schedule = dense ? (options.quick ? { warmup: 5, steps: 100, rounds: 1 } : { warmup: 10, steps: 400, rounds: 3 }) : convSchedule(options);
    const variant: Variant = { label: 'Keras default (tf.function, no XLA)', peer: 'keras', command: { op: 'train', kind: kerasKind, jit: false }, schedule, timeoutMs: 300_000 };
    const { ours, peers, params, frameworks } = await alternate(kind, schedule, [variant]);
    return [figure(field, title, ours, peers, params, frameworks.keras!, schedule)];
  };
}

async function alternate(kind: OurModel, schedule: Schedule, variants: Variant[]) {
  const backend: Backend = await loadBackend();
  if (!backend.native) throw new Error(`the training benches need the native backend; this run has ${backend.name} (${backend.fallbackReason})`);
  const processes: Partial<Record<Variant['peer'], PeerProcess>> = {};
  const frameworks: Partial<Record<Variant['peer'], string>> = {};
  try {
    for (const peer of new Set(variants.map((variant) => variant.peer))) {
      const started = await PeerProcess.start(peer === 'keras' ? 'the Keras peer' : 'the PyTorch peer', `${peer}_peers.py`, [mnistTrainPath, '--threads', String(threads)]);
      processes[peer] = started.peer;
    }
    const ours: Side = { label: 'ours', runs: [] };
    const peers: Side[] = variants.map((variant) => ({ label: variant.label, runs: [] }));
    let params = 0;
    for (let round = 0; round < schedule.rounds; round++) {
      const run = await trainOurs(backend, schedule, kind);
      params = run.params;
      ours.runs.push(run);
      const line = [`ours ${run.samplesPerSecond.toFixed(0)}`];
      for (const [index, variant] of variants.entries()) {
        const peerRun = await processes[variant.peer]!.request<PeerRun>({ ...variant.command, warmup: variant.schedule.warmup, steps: variant.schedule.steps, batch: BATCH, latent: LATENT }, variant.timeoutMs);
        if (peerRun.params !== run.params) {
          throw new Error(`${variant.label} has ${peerRun.params} parameters, our ${kind.model} ${run.params}: the architectures differ — fix bench/python/${variant.peer}_peers.py`);
        }
        frameworks[variant.peer] = peerRun.framework;
        peers[index]!.runs.push(peerRun);
        line.push(`${variant.label} ${peerRun.samplesPerSecond.toFixed(0)}`);
      }
      process.stderr.write(`train peers (${kind.model}): round ${round + 1}: ${line.join(', ')} samples/s\n`);
    }
    return { ours, peers, params, frameworks };
  } finally {
    for (const peer of Object.values(processes)) peer.stop();
  }
}

const best = (runs: Measured[], field: 'samplesPerSecond' | 'samplesPerCpuSecond' = 'samplesPerSecond') => Math.max(...runs.map((run) => run[field]));
const listed = (runs: Measured[]) => runs.map((run) => run.samplesPerSecond.toFixed(0)).join(', ');
const describe = (side: Side) => `${best(side.runs).toFixed(0)} samples/s (${best(side.runs, 'samplesPerCpuSecond').toFixed(0)} per CPU-second; rounds ${listed(side.runs)})`;

/** The reference is the fastest of `sides`; every side is listed. */
function figure(field: string, title: string, ours: Side, sides: Side[], params: number, framework: string, schedule: Schedule, peerSchedule: Schedule = schedule): Figure {
  const reference = sides.reduce((fastest, side) => (best(side.runs) > best(fastest.runs) ? side : fastest));
  const ratio = best(ours.runs) / best(reference.runs);
  const cpuRatio = best(ours.runs, 'samplesPerCpuSecond') / best(reference.runs, 'samplesPerCpuSecond');
  const others = sides.filter((side) => side !== reference).map((side) => `${side.label}: ${describe(side)}`);
  return {
    field,
    value: ratio,
    ours: `${describe(ours)}: ${title}, ${params.toLocaleString('en-US')} params, batch ${BATCH}, latent ${LATENT}, via runTraining; ${schedule.steps} steps after ${schedule.warmup}, best of ${schedule.rounds}; per CPU-second ratio ${cpuRatio.toFixed(3)}`,
    reference: `${reference.label} (${framework}, ${threads} threads): ${describe(reference)}, ${peerSchedule.steps} steps after ${peerSchedule.warmup}${others.length > 0 ? `; slower: ${others.join('; ')}` : ''}`,
    target: '≥ 1.0',
    met: ratio >= 1,
  };
}
