/**
 * What the host may read of a checkpoint's latent-lab.json without the engine (the Runs view, Re-run):
 * a few headline fields, size-checked before parsing. The engine validates the whole file
 * (src/engine/checkpoint/meta.ts, built on the file name, size bound and dataset schema here) when it
 * opens a checkpoint; this stays a subset of that, so every checkpoint the engine opens lists here.
 */
import { type Infer, num, obj, optional, record, str, unknownValue } from './schema';

export const CHECKPOINT_FILE = 'latent-lab.json';

/** Far above any real file (a long history is a few hundred KiB); a larger one is not a checkpoint. */
export const MAX_CHECKPOINT_FILE_BYTES = 64 * 1024 ** 2;

export const checkpointDatasetSchema = obj({
  name: str({ maxLength: 1024 }),
  source: str({ maxLength: 4096 }),
  count: num({ integer: true, min: 0 }),
});

export const checkpointSummarySchema = obj(
  {
    kind: str({ minLength: 1, maxLength: 64 }),
    config: record(unknownValue(), { maxKeys: 64 }),
    latentDim: num({ integer: true, min: 1 }),
    epoch: num({ integer: true, min: 0 }),
    createdAt: str({ maxLength: 64 }),
    metrics: record(num(), { maxKeys: 1000 }),
    dataset: optional(checkpointDatasetSchema),
  },
  { ignoreUnknown: true },
);
export type CheckpointSummary = Infer<typeof checkpointSummarySchema>;

/** Throws one line naming `where` when the bytes are not a checkpoint's metadata. */
export function parseCheckpointSummary(bytes: Uint8Array, where: string): CheckpointSummary {
  if (bytes.length > MAX_CHECKPOINT_FILE_BYTES) throw new Error(`${where}: ${bytes.length} bytes is too large for checkpoint metadata (at most ${MAX_CHECKPOINT_FILE_BYTES})`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return checkpointSummarySchema.parse(value, where);
}
