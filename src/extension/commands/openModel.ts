/**
 * "Open Model…": a model made elsewhere — a tfjs model.json (Keras through tensorflowjs_converter), an
 * ONNX encoder (PyTorch's torch.onnx.export), or a folder holding one of those or a TF SavedModel,
 * recognised as `latent-lab inspect` recognises it (a checkpoint folder opens as a checkpoint) —
 * then, where the model needs it, its bottleneck layer or signatures (listed by the engine), then
 * the data to explore.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ForeignModelSpec, LayerInfo } from '../../shared/foreignModel';
import type { PanelTarget } from '../../shared/webviewProtocol';
import type { EngineHost } from '../engineHost';
import { allowLoading, allowRunning } from '../workspaceTrust';
import { pickDataset } from './newExperiment';

const TITLE = 'Latent Lab: Open Model';

/** What the open dialog picks: a file of one format, or a folder. */
type PathKind = 'tfjs-layers' | 'onnx' | 'folder';

const choices: (vscode.QuickPickItem & { opens: PathKind })[] = [
  { label: '$(json) tfjs layers model.json', detail: 'Keras models converted with tensorflowjs_converter: a whole autoencoder, or an encoder (and decoder)', opens: 'tfjs-layers' },
  { label: '$(file-binary) ONNX encoder (.onnx)', detail: 'PyTorch models exported with torch.onnx.export, with an optional decoder .onnx', opens: 'onnx' },
  { label: '$(folder) A model folder', detail: 'A TF SavedModel (saved_model.pb; needs the native TensorFlow backend), a tfjs model.json with its shards, or .onnx files', opens: 'folder' },
];

export async function askForModel(engine: EngineHost): Promise<PanelTarget | undefined> {
  const kind = (await vscode.window.showQuickPick(choices, { title: `${TITLE} — format` }))?.opens;
  if (!kind) return undefined;
  const picked = await pickPath(kind, `${TITLE} — ${kind === 'folder' ? 'the folder the model was saved in' : 'the encoder or whole model'}`);
  if (!picked || !(await allowLoading([picked]))) return undefined;
  const location = await ask(engine.request('locateModel', { path: picked }), picked);
  if (location === undefined) return undefined;
  if (!location.location) {
    void vscode.window.showErrorMessage(`${TITLE}: ${picked} holds no model (no saved_model.pb, model.json, .onnx file or latent-lab.json); pick the folder the model was saved in`);
    return undefined;
  }
  const { format, paths } = location.location;
  if (format === 'checkpoint') return { view: 'explore', checkpoint: paths[0]! };
  const spec = format === 'tfjs-layers' ? await askTfjs(engine, paths[0]!) : format === 'onnx' ? await askOnnx(paths) : await askSavedModel(engine, paths[0]!);
  if (!spec) return undefined;
  const data = await pickDataset(`${TITLE} — the data to explore (as the model was trained on)`);
  return data ? { view: 'model', model: spec, data } : undefined;
}

async function pickPath(kind: PathKind, title: string, openLabel = 'Open'): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title,
    openLabel,
    canSelectMany: false,
    canSelectFiles: kind !== 'folder',
    canSelectFolders: kind === 'folder',
    ...(kind === 'tfjs-layers' ? { filters: { 'tfjs model.json': ['json'] } } : kind === 'onnx' ? { filters: { ONNX: ['onnx'] } } : {}),
  });
  return picked?.[0]?.fsPath;
}

/** Runs an engine request for a picker; a failure (a broken file) is shown, not thrown. */
async function ask<T>(work: Promise<T>, what: string): Promise<T | undefined> {
  try {
    return await work;
  } catch (error) {
    void vscode.window.showErrorMessage(`${TITLE}: cannot read ${what}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

async function askTfjs(engine: EngineHost, model: string): Promise<ForeignModelSpec | undefined> {
  const shape = await vscode.window.showQuickPick(
    [
      { label: '$(symbol-class) A whole autoencoder', detail: 'Pick its bottleneck layer: the encoder is the graph up to it, the decoder the rest', value: 'whole' },
      { label: '$(arrow-right) An encoder with a separate decoder…', detail: 'Pick the decoder model.json next', value: 'pair' },
      { label: '$(circle-slash) An encoder alone', detail: 'Maps and selections work; decoding views say why they cannot', value: 'encoder' },
    ],
    { title: `${TITLE} — what the model.json holds` },
  );
  if (!shape) return undefined;
  if (shape.value === 'encoder') return { format: 'tfjs-layers', model };
  if (shape.value === 'pair') {
    const decoder = await pickPath('tfjs-layers', `${TITLE} — the decoder model.json`);
    return decoder && (await allowLoading([decoder])) ? { format: 'tfjs-layers', model, decoder } : undefined;
  }
  const listed = await ask(engine.request('modelLayers', { model }), model);
  if (!listed) return undefined;
  const layer = await vscode.window.showQuickPick(
    listed.layers.map((info) => ({ label: info.name, description: `${info.className} → ${formatShape(info)}`, name: info.name })),
    { title: `${TITLE} — the bottleneck (latent) layer`, placeHolder: 'The layer whose output is the latent', matchOnDescription: true },
  );
  return layer ? { format: 'tfjs-layers', model, latentLayer: layer.name } : undefined;
}

function formatShape(info: LayerInfo): string {
  return info.outputShape === null ? 'several outputs' : `[${info.outputShape.map((dim) => dim ?? '?').join(', ')}]`;
}

/** `files`: the .onnx files of the picked folder, or the one picked file. */
async function askOnnx(files: string[]): Promise<ForeignModelSpec | undefined> {
  const model = files.length === 1 ? files[0] : (await vscode.window.showQuickPick(files.map((file) => ({ label: onnxLabel(file), file })), { title: `${TITLE} — the encoder` }))?.file;
  if (!model) return undefined;
  const choice = await vscode.window.showQuickPick<vscode.QuickPickItem & { decoder?: string; pickFile?: true }>(
    [
      ...files.filter((file) => file !== model).map((file) => ({ label: onnxLabel(file), decoder: file })),
      { label: '$(arrow-right) Add its decoder .onnx…', pickFile: true },
      { label: '$(circle-slash) The encoder alone', detail: 'Maps and selections work; decoding views say why they cannot' },
    ],
    { title: `${TITLE} — decoder` },
  );
  if (!choice) return undefined;
  if (!choice.pickFile) return choice.decoder ? { format: 'onnx', model, decoder: choice.decoder } : { format: 'onnx', model };
  const decoder = await pickPath('onnx', `${TITLE} — the decoder .onnx`);
  return decoder && (await allowLoading([decoder])) ? { format: 'onnx', model, decoder } : undefined;
}

function onnxLabel(file: string): string {
  return `$(file-binary) ${path.basename(file)}`;
}

async function askSavedModel(engine: EngineHost, model: string): Promise<ForeignModelSpec | undefined> {
  // Before the engine reads anything of it: saying no must leave the folder untouched.
  if (!(await allowRunning(model))) return undefined;
  const listed = await ask(engine.request('modelSignatures', { model }), model);
  if (!listed) return undefined;
  const signatures = listed.graphs.flatMap((graph) => graph.signatures.map((signature) => ({ ...signature, tags: graph.tags })));
  const item = (signature: (typeof signatures)[number]) => ({ label: signature.key, description: `${signature.inputs.join(', ')} → ${signature.outputs.join(', ')}`, detail: `tags: ${signature.tags.join(', ')}`, signature });
  const encoder = await vscode.window.showQuickPick(signatures.map(item), { title: `${TITLE} — the signature that encodes` });
  if (!encoder) return undefined;
  const { key, tags, outputs } = encoder.signature;
  const output = outputs.length > 1 ? (await vscode.window.showQuickPick(outputs, { title: `${TITLE} — which output of ${key} is the latent` })) : outputs[0];
  if (!output) return undefined;
  const none = { label: '$(circle-slash) None: encode only', description: '', detail: 'Maps and selections work; decoding views say why they cannot', signature: undefined };
  const others = signatures.filter((signature) => signature.key !== key && signature.tags.join() === tags.join()).map(item);
  const decoder = await vscode.window.showQuickPick([...others, none], { title: `${TITLE} — the signature that decodes` });
  if (!decoder) return undefined;
  return { format: 'savedmodel', model, tags, signature: key, encoderOutput: output, ...(decoder.signature ? { decoderSignature: decoder.signature.key } : {}) };
}
