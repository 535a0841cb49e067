/**
 * The explorer engine at a million samples, measured in a child process of its own so that its
 * memory is the engine's alone (the backend, the session and the reply it sends, nothing of the
 * bench's):
 *   encodeMs1M      openSession → session returned: a 16-d conv VAE encodes 1,000,000 28×28 digits
 *                   (latents and reconstruction errors) read batch by batch from a uint8 .npy
 *   engineRssMb1M   the child's peak resident memory (ru_maxrss), after it has sent the session
 *                   over IPC with the engine's serialisation
 * The digits: MNIST's 70,000, then copies shifted a pixel or two, written once to the bench cache.
 */
import { fork } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { loadBackend } from '../src/engine/backend';
import { createHandlers } from '../src/engine/handlers';
import type { Session, TrainParams } from '../src/shared/protocol';
import type { RequestContext } from '../src/shared/rpc';
import { encodeNpy } from '../src/engine/data/readers/npy';
import { handMadeNpy, npyHeader } from '../test/support/helpers';
import { benchCache, cachedCheckpoint } from './cachedCheckpoint';
import type { BenchOptions, Figure } from './figures';
import { mnistTestPath, mnistTrainPath } from './mnist';

const SAMPLES = 1_000_000;
const QUICK_SAMPLES = 100_000;
const PIXELS = 28 * 28;
/** 3 GiB, the ceiling for the engine's memory at a million digits. */
const RSS_LIMIT_MB = 3072;
const CHILD_FLAG = '--scale-engine-child';

interface ChildReport {
  encodeMs: number;
  /** CPU time (all threads) of the same span: less stretched than wall time by other work on the machine. */
  encodeCpuMs: number;
  count: number;
  peakRssMb: number;
}

export async function benchScaleEngine(options: BenchOptions): Promise<Figure[]> {
  const checkpoint = await cachedCheckpoint(await loadBackend(), convVae(options));
  const samples = options.quick ? QUICK_SAMPLES : SAMPLES;
  const report = await inChild(checkpoint, digits1M(), samples, latentsFile(samples));
  if (report.count !== samples) throw new Error(`bench: the session holds ${report.count} digits, not ${samples}`);
  const digits = samples.toLocaleString('en');
  return [
    {
      field: 'encodeMs1M',
      value: Math.round(report.encodeMs),
      ours: `${Math.round(report.encodeMs).toLocaleString('en')} ms for ${digits} digits (${Math.round(samples / (report.encodeMs / 1000)).toLocaleString('en')} per second; ${Math.round(report.encodeCpuMs / 1000).toLocaleString('en')} CPU-seconds), 16-d conv VAE, latents and reconstruction errors`,
      reference: 'none (a figure to watch)',
      target: '—',
      met: true,
    },
    {
      field: 'engineRssMb1M',
      value: Math.round(report.peakRssMb),
      ours: `${Math.round(report.peakRssMb).toLocaleString('en')} MiB peak RSS of the engine process with ${digits} digits open (${((samples * PIXELS * 4) / 1024 ** 2).toLocaleString('en', { maximumFractionDigits: 0 })} MiB as float32)`,
      reference: `${RSS_LIMIT_MB} MiB (3 GiB)`,
      target: `< ${RSS_LIMIT_MB}`,
      met: report.peakRssMb < RSS_LIMIT_MB,
    },
  ];
}

/** The explorer's conv model: a 16-d conv VAE, one epoch on MNIST digits. */
function convVae(options: BenchOptions): Omit<TrainParams, 'out'> {
  return { model: 'vae', latentDim: 16, config: { encoder: 'conv' }, data: mnistTrainPath, limit: options.quick ? 2000 : 10_000, epochs: 1, seed: 1 };
}

function inChild(checkpoint: string, data: string, samples: number, latentsOut: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    // The engine's own serialisation, so the session's reply costs the child what it costs the engine.
    const child = fork(__filename, [CHILD_FLAG, checkpoint, data, String(samples), latentsOut], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report: ChildReport | undefined;
    child.on('message', (message: { session?: Session; report?: ChildReport }) => {
      report = message.report ?? report;
    });
    child.on('error', reject);
    child.on('exit', (code) => (report && code === 0 ? resolve(report) : reject(new Error(`bench: the engine child exited with ${code} before reporting (see its output above)`))));
  });
}

/** In the child: the engine's handlers open the session as the extension's engine process does, and the session goes back as its reply would. */
async function runChild([checkpoint, data, samples, latentsOut]: string[]): Promise<void> {
  await loadBackend();
  const handlers = createHandlers();
  const context: RequestContext = { signal: new AbortController().signal, emit: () => undefined };
  const [started, cpu] = [performance.now(), process.cpuUsage()];
  const session = await handlers.openSession({ checkpoint: checkpoint!, data: data!, limit: Number(samples) }, context);
  const encodeMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  await new Promise<void>((resolve, reject) => process.send!({ session }, undefined, undefined, (error: Error | null) => (error ? reject(error) : resolve())));
  await handlers.closeSession({ sessionId: session.sessionId }, context);
  // The map bench (scaleMap.ts) explores these latents; written after the peak was taken.
  writeFileSync(`${latentsOut!}.partial`, encodeNpy(session.latents, [session.count, session.latentDim]));
  renameSync(`${latentsOut!}.partial`, latentsOut!);
  const report: ChildReport = { encodeMs, encodeCpuMs: (user + system) / 1000, count: session.count, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  process.send!({ report }, undefined, undefined, () => process.exit(0));
}

function latentsFile(samples: number): string {
  return path.join(benchCache, 'digits1m', `latents-${samples}.npy`);
}

/**
 * What the map bench draws: the latents the engine bench encoded (encoded here when that bench did
 * not run), their MNIST labels and the digits themselves for hover thumbnails.
 */
export async function scaleMapData(options: BenchOptions): Promise<{ latents: string; labels: string; images: string; count: number }> {
  const samples = options.quick ? QUICK_SAMPLES : SAMPLES;
  const latents = latentsFile(samples);
  if (!existsSync(latents)) await inChild(await cachedCheckpoint(await loadBackend(), convVae(options)), digits1M(), samples, latents);
  return { latents, labels: labels1M(samples), images: digits1M(), count: samples };
}

/** The digits' labels as a CSV, in the order digits1M writes them (every shift repeats MNIST's order). */
function labels1M(samples: number): string {
  const file = path.join(benchCache, 'digits1m', `labels-${samples}.csv`);
  if (existsSync(file)) return file;
  const originals = Buffer.concat([readFileSync(mnistTrainPath.replace('images-idx3', 'labels-idx1')).subarray(8), readFileSync(mnistTestPath.replace('images-idx3', 'labels-idx1')).subarray(8)]);
  const lines = Array.from({ length: samples }, (_, i) => String(originals[i % originals.length]));
  writeFileSync(file, `label\n${lines.join('\n')}\n`);
  return file;
}

/** Shifts of a digit, in pixels right and down, each applied to all 70,000; 15 of them cover a million. */
const SHIFTS = [
  [0, 0],
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
  [1, 1],
  [-1, -1],
  [1, -1],
  [-1, 1],
  [2, 0],
  [-2, 0],
  [0, 2],
  [0, -2],
  [2, 2],
  [-2, -2],
] as const;

/** 1,000,000 MNIST digits as a uint8 .npy (samples, 28, 28), written once: a .npy holds no labels, so none are written. */
function digits1M(): string {
  const file = path.join(benchCache, 'digits1m', 'digits1m.npy');
  if (existsSync(file)) return file;
  const originals = Buffer.concat([readFileSync(mnistTrainPath).subarray(16), readFileSync(mnistTestPath).subarray(16)]);
  const perShift = originals.length / PIXELS;
  mkdirSync(path.dirname(file), { recursive: true });
  // Written under another name and renamed, so a run stopped halfway never leaves a short file behind.
  const partial = `${file}.partial`;
  const fd = openSync(partial, 'w');
  try {
    writeSync(fd, handMadeNpy(npyHeader('|u1', `(${SAMPLES}, 28, 28)`), Buffer.alloc(0)));
    for (let first = 0, shift = 0; first < SAMPLES; first += perShift, shift++) {
      const [dx, dy] = SHIFTS[shift]!;
      writeSync(fd, shifted(originals.subarray(0, Math.min(perShift, SAMPLES - first) * PIXELS), dx, dy));
    }
  } finally {
    closeSync(fd);
  }
  renameSync(partial, file);
  return file;
}

/** Each 28×28 digit moved `dx` right and `dy` down, blank where it moved away from. */
function shifted(digits: Buffer, dx: number, dy: number): Buffer {
  const out = Buffer.alloc(digits.length);
  for (let base = 0; base < digits.length; base += PIXELS) {
    for (let y = Math.max(0, dy); y < Math.min(28, 28 + dy); y++) {
      for (let x = Math.max(0, dx); x < Math.min(28, 28 + dx); x++) out[base + y * 28 + x] = digits[base + (y - dy) * 28 + (x - dx)]!;
    }
  }
  return out;
}

if (process.argv[2] === CHILD_FLAG) {
  runChild(process.argv.slice(3)).catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
