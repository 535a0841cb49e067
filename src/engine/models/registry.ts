/** Every model kind by name; the protocol's kind list is derived from this. */
import { ae } from './ae';
import { betavae } from './betavae';
import { conv } from './conv';
import { dae } from './dae';
import { ksparse } from './ksparse';
import type { ModelKindSpec } from './modelKind';
import { vae } from './vae';
import { vqvae } from './vqvae';
import type { ModelKindName } from '../../shared/protocol';

export const modelKinds = { ae, dae, ksparse, conv, vae, betavae, vqvae } satisfies Record<ModelKindName, unknown>;

export function modelKind(name: string): ModelKindSpec<unknown> {
  const spec = (modelKinds as Record<string, ModelKindSpec<unknown>>)[name];
  if (!spec) throw new RangeError(`unknown model kind "${name}" (known: ${Object.keys(modelKinds).join(', ')})`);
  return spec;
}
