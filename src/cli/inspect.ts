import * as path from 'node:path';
import type { Backend } from '../engine/backend';
import { describeCheckpoint, describeModelJson, type LayerSummary } from '../engine/checkpoint/describe';
import { inspectDataset } from '../engine/data/loadDataset';
import { findModel, type ModelLocation } from '../engine/foreign/findModel';
import { describeShape, type TensorSummary } from '../engine/foreign/foreignModel';
import { describeOnnx } from '../engine/foreign/onnx';
import { describeSavedModel } from '../engine/foreign/savedModel';
import { UsageError } from './args';
import { type CliCommand, formatNumber, table } from './command';

export const inspectCommand: CliCommand = {
  summary: 'validate and summarise a dataset, a checkpoint folder, or a model (tfjs model.json, SavedModel folder, .onnx files)',
  usage: 'inspect <path|sample> [--json]',
  values: [],
  async run({ args, backend }) {
    const target = args.positionals[0];
    if (!target || args.positionals.length > 1) throw new UsageError('inspect takes one path: a dataset file or folder, a checkpoint folder, or a model file or folder');
    const resolved = target === 'sample' ? target : path.resolve(target);
    const location = resolved === 'sample' ? undefined : await findModel(resolved);
    if (location?.format === 'checkpoint') {
      const summary = await describeCheckpoint(backend.tf, location.folder);
      return { result: { type: 'checkpoint', ...summary }, human: table(flatten({ type: 'checkpoint', ...summary })) };
    }
    if (location) {
      const { result, rows } = await describeModel(backend, location);
      return { result: { type: 'model', format: location.format, ...result }, human: table([['type', 'model'], ['format', location.format], ...rows]) };
    }
    const summary = await inspectDataset(resolved);
    return { result: { type: 'dataset', ...summary }, human: table(flatten({ type: 'dataset', ...summary })) };
  },
};

/** The model's summary for --json, and the rows people read: inputs and outputs with their shapes first. */
async function describeModel(backend: Backend, location: Exclude<ModelLocation, { format: 'checkpoint' }>): Promise<{ result: Record<string, unknown>; rows: [string, string][] }> {
  if (location.format === 'tfjs-layers') {
    const summary = await describeModelJson(backend.tf, location.modelJson);
    const origin = [summary.generatedBy, summary.convertedBy].filter(Boolean).join(', ');
    return {
      result: { model: location.modelJson, ...summary },
      rows: [
        ['model', location.modelJson],
        ...(origin ? [['made by', origin] as [string, string]] : []),
        ['inputs', tensors(summary.inputs)],
        ['outputs', tensors(summary.outputs)],
        ['params', formatNumber(summary.params)],
        ...summary.layers.map((layer, i): [string, string] => [i === 0 ? 'layers' : '', layerRow(layer)]),
      ],
    };
  }
  if (location.format === 'savedmodel') {
    const graphs = await describeSavedModel(backend, location.folder);
    return {
      result: { model: location.folder, graphs },
      rows: [
        ['model', location.folder],
        ...graphs.flatMap(({ tags, signatures }) => signatures.map(({ key, inputs, outputs }): [string, string] => [`${key} (${tags.join(', ')})`, `${tensors(inputs)} → ${tensors(outputs)}`])),
      ],
    };
  }
  const files = await describeOnnx(location.files);
  return {
    result: { files },
    rows: [['folder', path.dirname(location.files[0]!)], ...files.map(({ file, inputs, outputs }): [string, string] => [path.basename(file), `${tensors(inputs)} → ${tensors(outputs)}`])],
  };
}

function tensors(list: readonly TensorSummary[]): string {
  return list.map(({ name, shape, dtype }) => `${name} ${describeShape(shape)} ${dtype}`).join(', ');
}

function layerRow({ name, className, outputShape }: LayerSummary): string {
  const shape = outputShape === null ? 'several outputs' : Array.isArray(outputShape[0]) ? (outputShape as (number | null)[][]).map(describeShape).join(', ') : describeShape(outputShape as (number | null)[]);
  return `${name} ${className} → ${shape}`;
}

/** One row per top-level field; nested values shown compactly. */
function flatten(summary: Record<string, unknown>): [string, string][] {
  return Object.entries(summary).map(([key, value]) => [key, typeof value === 'string' ? value : compact(value)]);
}

function compact(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
