/** A checkpoint folder back to a working model: files checked by the loader, config by the kind's schema. */
import type { Tf } from '../backend';
import { loadCheckpoint } from '../checkpoint/checkpoint';
import { CheckpointError } from '../checkpoint/errors';
import type { CheckpointMeta } from '../checkpoint/meta';
import type { ModelKindDescriptor } from '../../shared/modelKinds';
import { messageOf } from '../../shared/protocol';
import { disposeModelParts, type BuiltModel } from './modelKind';
import { modelKind } from './registry';

export interface OpenedCheckpoint {
  meta: CheckpointMeta;
  model: BuiltModel<unknown>;
  descriptor: ModelKindDescriptor;
}

export async function openCheckpoint(tf: Tf, location: string): Promise<OpenedCheckpoint> {
  const { meta, parts } = await loadCheckpoint(tf, location);
  try {
    const spec = modelKind(meta.kind);
    const config = spec.configSchema.parse(meta.config, 'config');
    return { meta, model: spec.wrap(tf, config, meta.inputShape, parts), descriptor: spec.descriptor };
  } catch (error) {
    disposeModelParts(parts);
    throw new CheckpointError(`${location}: latent-lab.json describes a model this version cannot rebuild (${messageOf(error)}) — retrain it or update Latent Lab`);
  }
}
