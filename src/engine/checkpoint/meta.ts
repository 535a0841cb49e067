/**
 * `latent-lab.json`: everything besides the weights that is needed to use a checkpoint again (kind and
 * config to rebuild the wrapper, normalisation for new data, labels) and to show how it was trained.
 * Every list has a bound so a hostile file cannot make parsing itself the attack.
 */
import {
  arr,
  literal,
  num,
  obj,
  optional,
  record,
  SchemaError,
  str,
  unknownValue,
  type Infer,
  type Schema,
} from '../../shared/schema';
import { checkpointDatasetSchema } from '../../shared/checkpointSummary';
import { parseFile } from './confinedFs';
import { CheckpointError } from './errors';
import { epochFile, timelineSchema } from './timeline';
import { layout, shapeSchema } from './weightSpecs';

const MAX_FEATURES = 1 << 24;

function refine<T>(inner: Schema<T>, expected: string, holds: (value: T) => boolean): Schema<T> {
  return {
    description: expected,
    parse(value, path = '') {
      const parsed = inner.parse(value, path);
      if (!holds(parsed)) throw new SchemaError(path, expected, value);
      return parsed;
    },
  };
}

const isoDate = refine(
  str({ maxLength: 64 }),
  'an ISO 8601 date-time',
  (text) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) && !Number.isNaN(Date.parse(text)),
);

const historyEntry = refine(
  record(num(), { maxKeys: 256 }),
  'an object of numbers with an integer epoch',
  (entry) => Number.isInteger(entry.epoch) && entry.epoch! >= 0,
) as Schema<{ epoch: number } & Record<string, number>>;

const extraEntry = obj({
  name: str({ minLength: 1, maxLength: 256 }),
  shape: shapeSchema,
  dtype: literal('float32'),
  byteOffset: num({ min: 0, integer: true }),
});

export const checkpointMetaSchema = obj({
  format: literal('latent-lab-checkpoint'),
  version: literal(1),
  kind: str({ minLength: 1, maxLength: 64 }),
  /** Validated by the model kind's own schema when the checkpoint is wrapped. */
  config: unknownValue(),
  inputShape: refine(arr(num({ min: 1, max: MAX_FEATURES, integer: true }), { maxLength: 8 }), 'a non-empty shape', (shape) => shape.length > 0),
  latentDim: num({ min: 1, max: MAX_FEATURES, integer: true }),
  normalization: obj({
    kind: literal('minmax'),
    min: arr(num(), { maxLength: MAX_FEATURES }),
    max: arr(num(), { maxLength: MAX_FEATURES }),
  }),
  labelNames: optional(arr(str({ maxLength: 256 }), { maxLength: 100_000 })),
  dataset: optional(checkpointDatasetSchema),
  metrics: record(num(), { maxKeys: 1000 }),
  history: arr(historyEntry, { maxLength: 100_000 }),
  backend: str({ maxLength: 64 }),
  engineVersion: str({ maxLength: 64 }),
  createdAt: isoDate,
  epoch: num({ min: 0, integer: true }),
  /** Layout of extra.bin: float32 tensors back to back, in this order. */
  extra: optional(arr(extraEntry, { maxLength: 1000 })),
  /** The latents of the probe samples after every epoch (timeline.ts); absent in runs trained before it was recorded. */
  timeline: optional(timelineSchema),
});

export type CheckpointMeta = Infer<typeof checkpointMetaSchema>;
export type ExtraEntry = Infer<typeof extraEntry>;
/** What a caller supplies; the saver fills in the format, provenance and the extra.bin layout. */
export type CheckpointMetaInput = Omit<CheckpointMeta, 'format' | 'version' | 'backend' | 'engineVersion' | 'createdAt' | 'extra'>;

const ADVICE = 'the checkpoint metadata is damaged or from another program — save the checkpoint again';

/** Schema plus the rules that relate fields to each other. */
export function parseCheckpointMeta(value: unknown, file: string): CheckpointMeta {
  const meta = parseFile(checkpointMetaSchema, value, file, ADVICE);
  const { min, max } = meta.normalization;
  if (min.length === 0 || min.length !== max.length) {
    throw new CheckpointError(`${file}: normalization.min and .max must be non-empty and of equal length (got ${min.length} and ${max.length}); ${ADVICE}`);
  }
  const extra = meta.extra ?? [];
  const { offsets } = layout(extra, file);
  extra.forEach((entry, index) => {
    if (entry.byteOffset !== offsets[index]) {
      throw new CheckpointError(`${file}: extra tensor ${JSON.stringify(entry.name)} starts at byte ${entry.byteOffset}, expected ${offsets[index]}; ${ADVICE}`);
    }
  });
  const timeline = meta.timeline;
  if (timeline) {
    if (timeline.dim !== meta.latentDim) throw new CheckpointError(`${file}: the timeline has ${timeline.dim} dims but the model ${meta.latentDim}; ${ADVICE}`);
    timeline.epochs.forEach((entry, index) => {
      const previous = timeline.epochs[index - 1]?.epoch ?? 0;
      if (entry.epoch <= previous || entry.file !== epochFile(entry.epoch)) {
        throw new CheckpointError(`${file}: timeline entry ${index} (epoch ${entry.epoch}, ${JSON.stringify(entry.file)}) is out of order or misnamed; ${ADVICE}`);
      }
    });
  }
  return meta;
}
