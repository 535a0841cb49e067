/**
 * A model made elsewhere (Keras via the tensorflowjs converter, PyTorch via ONNX, a TF SavedModel)
 * explored like a checkpoint: where its files are, which part is the encoder, and how it wants its
 * inputs. Latent Lab's readers give samples as [0, 1] floats laid out [h, w, c] (images) or
 * [features]; `input` says how to hand them to the model when it expects something else.
 */
import { arr, type Infer, literal, nullable, num, obj, oneOf, optional, str, tagged } from './schema';

export const foreignFormats = ['tfjs-layers', 'onnx', 'savedmodel'] as const;
export type ForeignFormat = (typeof foreignFormats)[number];

/** `hwc`: as the data is; `chw`: channels first (PyTorch); `flat`: one vector per sample. */
export const inputLayouts = ['hwc', 'chw', 'flat'] as const;
export type InputLayout = (typeof inputLayouts)[number];

const filePath = str({ minLength: 1, maxLength: 4096 });
const name = str({ minLength: 1, maxLength: 1024 });

const inputSchema = optional(
  obj({
    /** Default: read from the model's declared input shape. */
    layout: optional(oneOf(inputLayouts)),
    /** The value range the model was trained on; [0, 1] data are mapped linearly onto it (default 0..1). */
    min: optional(num()),
    max: optional(num()),
  }),
);

export const foreignModelSpecSchema = tagged('format', {
  'tfjs-layers': obj({
    format: literal('tfjs-layers'),
    /** model.json of the encoder, or of the whole autoencoder when `latentLayer` is given. */
    model: filePath,
    /** model.json of a separate decoder. */
    decoder: optional(filePath),
    /** The bottleneck layer of a whole autoencoder: encoder up to it, decoder after it. */
    latentLayer: optional(name),
    /** Which encoder output is the latent, by its layer name (default: the first output). */
    encoderOutput: optional(name),
    input: inputSchema,
  }),
  onnx: obj({
    format: literal('onnx'),
    /** The encoder's .onnx file. */
    model: filePath,
    decoder: optional(filePath),
    /** Output name (default: the first output). */
    encoderOutput: optional(name),
    input: inputSchema,
  }),
  savedmodel: obj({
    format: literal('savedmodel'),
    /** The SavedModel folder (the one holding saved_model.pb). */
    model: filePath,
    /** MetaGraph tags (default: serve). */
    tags: optional(arr(name, { maxLength: 16 })),
    /** Encoder signature (default: serving_default). */
    signature: optional(name),
    /** A signature of the same SavedModel that decodes latents. */
    decoderSignature: optional(name),
    /** Output key (default: the first in key order). */
    encoderOutput: optional(name),
    input: inputSchema,
  }),
});
export type ForeignModelSpec = Infer<typeof foreignModelSpecSchema>;

/** The files and folders a spec makes the engine read (what workspace trust must allow). */
export function foreignModelPaths(spec: ForeignModelSpec): string[] {
  return spec.format !== 'savedmodel' && spec.decoder ? [spec.model, spec.decoder] : [spec.model];
}

/** The format of a picked path: a model.json, an .onnx file, else a SavedModel folder (its loader checks). */
export function foreignFormatOf(modelPath: string): ForeignFormat {
  if (/\.json$/i.test(modelPath)) return 'tfjs-layers';
  if (/\.onnx$/i.test(modelPath)) return 'onnx';
  return 'savedmodel';
}

export const layerInfoSchema = obj({
  name,
  className: str({ maxLength: 256 }),
  /** Without the batch dimension; null entries are free sizes; null when the layer has several outputs. */
  outputShape: nullable(arr(nullable(num()), { maxLength: 8 })),
});
export type LayerInfo = Infer<typeof layerInfoSchema>;

export const signatureInfoSchema = obj({
  key: name,
  inputs: arr(name, { maxLength: 64 }),
  outputs: arr(name, { maxLength: 64 }),
});
export type SignatureInfo = Infer<typeof signatureInfoSchema>;
