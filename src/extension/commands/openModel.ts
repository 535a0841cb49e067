/**
 * "Open Model…": a model made elsewhere — a tfjs model.json (Keras through tensorflowjs_converter), an
 * ONNX encoder (PyTorch's torch.onnx.export) or a TF SavedModel folder — then, where the model needs
 * it, its bottleneck layer or signatures (listed by the engine), then the data to explore.
 */
import * as vscode from 'vscode';
import type { ForeignFormat, ForeignModelSpec, LayerInfo } from '../../shared/foreignModel';
import type { PanelTarget } from '../../shared/webviewProtocol';
import type { EngineHost } from '../engineHost';
import { allowLoading } from '../workspaceTrust';
import { pickDataset } from './newExperiment';

const TITLE = 'Latent Lab: Open Model';

const formats: (vscode.QuickPickItem & { format: ForeignFormat })[] = [
  { label: '$(json) tfjs layers model.json', detail: 'Keras models converted with tensorflowjs_converter: a whole autoencoder, or an encoder (and decoder)', format: 'tfjs-layers' },
  { label: '$(file-binary) ONNX encoder (.onnx)', detail: 'PyTorch models exported with torch.onnx.export, with an optional decoder .onnx', format: 'onnx' },
  { label: '$(folder) TF SavedModel folder', detail: 'Signatures that encode (and decode); needs the native TensorFlow backend', format: 'savedmodel' },
];

export async function askForModel(engine: EngineHost): Promise<Extract<PanelTarget, { view: 'model' }> | undefined> {
  const format = (await vscode.window.showQuickPick(formats, { title: `${TITLE} — format` }))?.format;
  if (!format) return undefined;
  const model = await pickPath(format, `${TITLE} — ${format === 'savedmodel' ? 'the folder with saved_model.pb' : 'the encoder or whole model'}`);
  if (!model || !(await allowLoading([model]))) return undefined;
  const spec = format === 'tfjs-layers' ? await askTfjs(engine, model) : format === 'onnx' ? await askOnnx(model) : await askSavedModel(engine, model);
  if (!spec) return undefined;
  const data = await pickDataset(`${TITLE} — the data to explore (as the model was trained on)`);
  return data ? { view: 'model', model: spec, data } : undefined;
}

async function pickPath(format: ForeignFormat, title: string, openLabel = 'Open'): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title,
    openLabel,
    canSelectMany: false,
    canSelectFiles: format !== 'savedmodel',
    canSelectFolders: format === 'savedmodel',
    ...(format === 'tfjs-layers' ? { filters: { 'tfjs model.json': ['json'] } } : format === 'onnx' ? { filters: { ONNX: ['onnx'] } } : {}),
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

async function askOnnx(model: string): Promise<ForeignModelSpec | undefined> {
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(arrow-right) Add its decoder .onnx…', value: 'pair' },
      { label: '$(circle-slash) The encoder alone', detail: 'Maps and selections work; decoding views say why they cannot', value: 'encoder' },
    ],
    { title: `${TITLE} — decoder` },
  );
  if (!choice) return undefined;
  if (choice.value === 'encoder') return { format: 'onnx', model };
  const decoder = await pickPath('onnx', `${TITLE} — the decoder .onnx`);
  return decoder && (await allowLoading([decoder])) ? { format: 'onnx', model, decoder } : undefined;
}

async function askSavedModel(engine: EngineHost, model: string): Promise<ForeignModelSpec | undefined> {
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
