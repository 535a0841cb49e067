/** Every model kind: the one catalog, which the host reads through the `modelKinds` request. */
import { EngineError } from '../../shared/protocol';
import { ae } from './ae';
import { betavae } from './betavae';
import { conv } from './conv';
import { dae } from './dae';
import { ksparse } from './ksparse';
import type { ModelKindSpec } from './modelKind';
import { vae } from './vae';
import { vqvae } from './vqvae';

/** In the order New Experiment offers them. */
export const modelKinds: readonly ModelKindSpec<unknown>[] = [vae, ae, dae, ksparse, conv, betavae, vqvae];

export function modelKind(name: string): ModelKindSpec<unknown> {
  const spec = modelKinds.find((kind) => kind.descriptor.name === name);
  if (!spec) throw new EngineError('bad-request', `unknown model kind "${name}" (known: ${modelKinds.map((kind) => kind.descriptor.name).join(', ')})`);
  return spec;
}
