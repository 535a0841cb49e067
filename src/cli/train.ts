import { trainParamsSchema } from '../shared/protocol';
import { modelKinds } from '../engine/models/registry';
import { runTraining } from '../engine/training/runTraining';
import { intFlag, stringFlag, UsageError } from './args';
import { type CliCommand, formatNumber, table } from './command';

const kindNames = modelKinds.map((kind) => kind.descriptor.name);

export const trainCommand: CliCommand = {
  summary: 'train an autoencoder and write a checkpoint folder',
  usage: `train --model <${kindNames.join('|')}> --data <sample|path> [--epochs N] [--limit N] [--latent D] [--out DIR] [--batch-size N] [--lr X] [--seed N] [--val F] [--patience N] [--timeline-probes N] [--config JSON] [--resume] [--eager] [--json]`,
  values: ['model', 'data', 'epochs', 'limit', 'latent', 'out', 'batch-size', 'lr', 'seed', 'val', 'patience', 'timeline-probes', 'config'],
  booleans: ['resume', 'eager'],
  async run({ args, backend, signal, note }) {
    const model = stringFlag(args, 'model');
    const data = stringFlag(args, 'data');
    if (!model) throw new UsageError(`train needs --model (one of ${kindNames.join(', ')})`);
    if (!data) throw new UsageError('train needs --data (sample, or a path to .npy/.npz/IDX/CSV/an image folder)');
    const params = trainParamsSchema.parse(
      {
        model,
        data,
        epochs: intFlag(args, 'epochs', 10),
        limit: optionalInt(args, 'limit'),
        latentDim: optionalInt(args, 'latent'),
        out: stringFlag(args, 'out'),
        batchSize: optionalInt(args, 'batch-size'),
        learningRate: optionalNumber(args, 'lr'),
        seed: optionalInt(args, 'seed', 0),
        validationFraction: optionalNumber(args, 'val'),
        patience: optionalInt(args, 'patience'),
        timelineProbes: optionalInt(args, 'timeline-probes', 0),
        resume: args.flags.has('resume') || undefined,
        eager: args.flags.has('eager') || undefined,
        config: parseConfig(stringFlag(args, 'config')),
      },
      'train',
    );
    const result = await runTraining(backend, params, {
      signal,
      onNote: note,
      onProgress: (progress) => {
        if (progress.phase !== 'epoch') return;
        const validation = progress.validation?.loss === undefined ? '' : `  val_loss ${formatNumber(progress.validation.loss)}`;
        note(`epoch ${progress.epoch}/${progress.epochs}  loss ${formatNumber(progress.terms.loss!)}${validation}  ${Math.round(progress.samplesPerSecond)} samples/s  ETA ${Math.round(progress.etaSeconds)}s`);
      },
    });
    if (result.status === 'diverged') throw new Error(result.message);
    const summary = { model: result.model, status: result.status, finalLoss: result.finalLoss, samplesPerSecond: result.samplesPerSecond, checkpoint: result.checkpoint, backend: result.backend, execution: result.execution, epochs: result.epoch, metrics: result.metrics };
    return {
      result: summary,
      exitCode: result.status === 'cancelled' ? 130 : 0,
      human: table([
        ['model', result.model],
        ['status', `${result.status}: ${result.message}`],
        ['final loss', result.finalLoss === null ? '—' : formatNumber(result.finalLoss)],
        ['samples/s', formatNumber(result.samplesPerSecond)],
        ['backend', result.backend],
        ...(result.execution ? [['steps', result.execution] as [string, string]] : []),
        ['checkpoint', result.checkpoint ?? '— (no epoch completed)'],
        ...Object.entries(result.metrics).map(([name, value]): [string, string] => [name, formatNumber(value)]),
      ]),
    };
  },
};

function optionalInt(args: Parameters<typeof intFlag>[0], name: string, min = 1): number | undefined {
  return args.flags.has(name) ? intFlag(args, name, 0, min) : undefined;
}

function optionalNumber(args: Parameters<typeof intFlag>[0], name: string): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return value;
}

function parseConfig(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new UsageError(`--config must be a JSON object such as '{"hidden":[256,64]}', got ${raw.slice(0, 80)}`);
  }
}
