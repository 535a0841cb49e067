/**
 * ONNX encoders and decoders (PyTorch's torch.onnx.export) through onnxruntime-node, an optional
 * dependency loaded only when an ONNX model is opened. The file is read by us, size-checked, and
 * handed to the runtime as bytes, so a model that names external weight files cannot make the
 * runtime read outside what was picked. An export without dynamic_axes fixes the batch size (at the
 * example's, often 1); such a model is fed batches of exactly that size.
 */
import * as path from 'node:path';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { ForeignModelSpec } from '../../shared/foreignModel';
import { readCheckedFile, realFolder, resolveInside } from '../checkpoint/confinedFs';
import { CheckpointError, firstLine } from '../checkpoint/errors';
import { MAX_WEIGHT_BYTES } from '../checkpoint/weightSpecs';
import { describeShape, inBatchesOf, knownSize, type DeclaredShape, type LoadedForeignModel, type ModelOutput, type TensorSummary } from './foreignModel';

type Ort = typeof import('onnxruntime-node');
type OnnxSpec = Extract<ForeignModelSpec, { format: 'onnx' }>;

function loadRuntime(): Ort {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('onnxruntime-node') as Ort;
  } catch (error) {
    throw new CheckpointError(`ONNX models need onnxruntime-node, an optional dependency that is not installed or does not load here (${firstLine(error)}); install it beside Latent Lab with \`npm install onnxruntime-node\``);
  }
}

interface OnnxPart {
  session: InferenceSession;
  file: string;
  input: string;
  output: string;
  inputShape: DeclaredShape;
  outputShape: DeclaredShape;
  /** The batch size the model was exported with, when it is fixed. */
  batch?: number;
}

async function openSession(ort: Ort, file: string): Promise<{ session: InferenceSession; resolved: string }> {
  const resolved = path.resolve(file);
  const checked = await resolveInside(await realFolder(path.dirname(resolved)), path.basename(resolved), resolved);
  if (checked.size > MAX_WEIGHT_BYTES) throw new CheckpointError(`${resolved} is ${checked.size} bytes, over the ${MAX_WEIGHT_BYTES / 1024 ** 3} GiB limit for a model file`);
  const bytes = new Uint8Array(checked.size);
  await readCheckedFile(checked, bytes);
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (error) {
    throw new CheckpointError(`${resolved} is not an ONNX model onnxruntime can run (${firstLine(error)}); export it again with torch.onnx.export, keeping the weights inside the .onnx file`);
  }
  return { session, resolved };
}

async function openPart(ort: Ort, file: string, outputName: string | undefined): Promise<OnnxPart> {
  const { session, resolved } = await openSession(ort, file);
  try {
    if (session.inputNames.length !== 1) throw new CheckpointError(`${resolved} takes ${session.inputNames.length} inputs (${session.inputNames.join(', ')}); only single-input models are supported`);
    const output = outputName ?? session.outputNames[0]!;
    if (!session.outputNames.includes(output)) throw new CheckpointError(`${resolved} has no output ${JSON.stringify(output)}; its outputs are ${session.outputNames.join(', ')}`);
    const input = session.inputNames[0]!;
    const [batch, ...inputShape] = tensorShape(session, 'inputMetadata', input);
    const outputShape = tensorShape(session, 'outputMetadata', output).slice(1);
    return { session, file: resolved, input, output, inputShape, outputShape, ...(batch === null ? {} : { batch }) };
  } catch (error) {
    await session.release();
    throw error;
  }
}

/** Batch axis first; symbolic sizes are free (null). */
function tensorShape(session: InferenceSession, which: 'inputMetadata' | 'outputMetadata', name: string): DeclaredShape {
  const meta = session[which].find((entry) => entry.name === name);
  if (!meta?.isTensor || meta.shape.length === 0) throw new CheckpointError(`the ONNX value ${JSON.stringify(name)} does not declare a tensor shape; export it with a known rank (batch first)`);
  return meta.shape.map(freeOrSize);
}

function freeOrSize(dim: number | string): number | null {
  return typeof dim === 'number' && dim > 0 ? dim : null;
}

function run(ort: Ort, part: OnnxPart, values: Float32Array, sampleShape: readonly number[], rows: number): Promise<ModelOutput> {
  const { batch } = part;
  return batch === undefined ? runBatch(ort, part, values, [rows, ...sampleShape]) : inBatchesOf(batch, values, rows, (padded) => runBatch(ort, part, padded, [batch, ...sampleShape]));
}

async function runBatch(ort: Ort, part: OnnxPart, values: Float32Array, shape: number[]): Promise<ModelOutput> {
  let results: InferenceSession.ReturnType;
  try {
    results = await part.session.run({ [part.input]: new ort.Tensor('float32', values, shape) }, [part.output]);
  } catch (error) {
    throw new CheckpointError(`${part.file} failed on a batch of shape ${describeShape(shape)} (${firstLine(error)}); check that the data fits the model's input`);
  }
  const out = results[part.output] as OrtTensor;
  if (out.type !== 'float32') throw new CheckpointError(`${part.file}: output ${JSON.stringify(part.output)} is ${out.type}; only float32 outputs are supported`);
  return { values: out.data as Float32Array, shape: [...out.dims] };
}

export async function loadOnnx(spec: OnnxSpec): Promise<LoadedForeignModel> {
  const ort = loadRuntime();
  const encoder = await openPart(ort, spec.model, spec.encoderOutput);
  let decoder: OnnxPart | undefined;
  try {
    const latentDim = knownSize(encoder.outputShape);
    if (latentDim === undefined) throw new CheckpointError(`${encoder.file}: the latent ${JSON.stringify(encoder.output)} has shape ${describeShape(encoder.outputShape)}, with free sizes; export it with a fixed latent size`);
    if (spec.decoder !== undefined) decoder = await openPart(ort, spec.decoder, undefined);
    if (decoder && knownSize(decoder.inputShape) !== latentDim) {
      throw new CheckpointError(`${decoder.file} takes ${describeShape(decoder.inputShape)} but the encoder's latent has ${latentDim} values; pick the decoder exported with this encoder`);
    }
    const latentShape = (decoder?.inputShape ?? []) as number[];
    return {
      inputShape: encoder.inputShape,
      latentDim,
      encode: async (x, sampleShape, rows) => (await run(ort, encoder, x, sampleShape, rows)).values,
      ...(decoder
        ? {
            decode: async (z: Float32Array, rows: number) => {
              const { values, shape } = await run(ort, decoder!, z, latentShape, rows);
              return { values, sampleShape: shape.slice(1) };
            },
          }
        : { noDecoderReason: 'no decoder .onnx was given with this encoder, so it can only encode' }),
      dispose: () => {
        void encoder.session.release();
        void decoder?.session.release();
      },
    };
  } catch (error) {
    await encoder.session.release();
    await decoder?.session.release();
    throw error;
  }
}

export interface OnnxFileSummary {
  file: string;
  inputs: TensorSummary[];
  outputs: TensorSummary[];
}

/** Each file's inputs and outputs as declared (a fixed batch size shows as the first size), for `inspect`. */
export async function describeOnnx(files: readonly string[]): Promise<OnnxFileSummary[]> {
  const ort = loadRuntime();
  const summaries: OnnxFileSummary[] = [];
  for (const file of files) {
    const { session, resolved } = await openSession(ort, file);
    try {
      summaries.push({ file: resolved, inputs: session.inputMetadata.map(tensorSummary), outputs: session.outputMetadata.map(tensorSummary) });
    } finally {
      await session.release();
    }
  }
  return summaries;
}

function tensorSummary(meta: InferenceSession.ValueMetadata): TensorSummary {
  return meta.isTensor ? { name: meta.name, shape: meta.shape.map(freeOrSize), dtype: meta.type } : { name: meta.name, shape: [], dtype: 'not a tensor' };
}
