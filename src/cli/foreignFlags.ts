/** The CLI's way to name a model made elsewhere: `--model` plus the flags its format understands. */
import { foreignFormatOf, type ForeignModelSpec, foreignModelSpecSchema, inputLayouts } from '../shared/foreignModel';
import { messageOf } from '../shared/protocol';
import { type ParsedArgs, stringFlag, UsageError } from './args';

export const foreignFlagNames = ['model', 'latent-layer', 'signature', 'tags', 'output', 'layout', 'input-min', 'input-max'] as const;
export const foreignUsage = `--model <model.json|model.onnx|SAVEDMODEL_DIR> [--latent-layer NAME] [--signature NAME] [--tags a,b] [--output NAME] [--layout ${inputLayouts.join('|')}] [--input-min X --input-max Y]`;

/** Which flags each format reads; any other model flag is a mistake worth saying. */
const FORMAT_FLAGS: Record<ForeignModelSpec['format'], readonly string[]> = {
  'tfjs-layers': ['latent-layer', 'output'],
  onnx: ['output'],
  savedmodel: ['signature', 'tags', 'output'],
};

export function foreignSpecFromFlags(args: ParsedArgs, model: string): ForeignModelSpec {
  const format = foreignFormatOf(model);
  const misplaced = ['latent-layer', 'signature', 'tags'].find((flag) => args.flags.has(flag) && !FORMAT_FLAGS[format].includes(flag));
  if (misplaced) throw new UsageError(`--${misplaced} does not apply to ${format} models (${model}); it is for ${misplaced === 'latent-layer' ? 'a tfjs model.json' : 'a SavedModel folder'}`);
  const number = (name: string) => {
    const raw = stringFlag(args, name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
    return value;
  };
  const input = given({ layout: stringFlag(args, 'layout'), min: number('input-min'), max: number('input-max') });
  const candidate = given({
    format,
    model,
    latentLayer: stringFlag(args, 'latent-layer'),
    signature: stringFlag(args, 'signature'),
    tags: stringFlag(args, 'tags')?.split(',').filter(Boolean),
    encoderOutput: stringFlag(args, 'output'),
    input: Object.keys(input).length > 0 ? input : undefined,
  });
  try {
    return foreignModelSpecSchema.parse(candidate, 'model');
  } catch (error) {
    throw new UsageError(`the model flags do not describe a model: ${messageOf(error)}`);
  }
}

/** The fields that were given: the spec schema refuses keys it does not know, even when undefined. */
function given(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
