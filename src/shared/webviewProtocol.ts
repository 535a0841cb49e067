/**
 * Messages between the explorer webview and the extension host. Engine requests from the webview
 * use the engine envelopes unchanged (the host validates and forwards them); these are the few
 * messages that only the host and the webview exchange.
 */
import { arr, type Infer, literal, num, obj, oneOf, optional, str, tagged } from './schema';
import { foreignModelPaths, foreignModelSpecSchema } from './foreignModel';
import { trainParamsSchema, trainResultSchema } from './protocol';

/** What a panel shows; also what the webview saves with setState so a reload restores it. */
export const panelTargetSchema = tagged('view', {
  explore: obj({
    view: literal('explore'),
    checkpoint: str({ minLength: 1, maxLength: 4096 }),
    data: optional(str({ minLength: 1, maxLength: 4096 })),
    limit: optional(num({ integer: true, min: 1 })),
  }),
  /** Bare latents (.npy) with optional labels CSV and images, explored without a model. */
  latents: obj({
    view: literal('latents'),
    latents: str({ minLength: 1, maxLength: 4096 }),
    labels: optional(str({ minLength: 1, maxLength: 4096 })),
    images: optional(str({ minLength: 1, maxLength: 4096 })),
    limit: optional(num({ integer: true, min: 1 })),
  }),
  /** A model made elsewhere (tfjs layers, ONNX, SavedModel) explored on the chosen data. */
  model: obj({
    view: literal('model'),
    model: foreignModelSpecSchema,
    data: str({ minLength: 1, maxLength: 4096 }),
    limit: optional(num({ integer: true, min: 1 })),
  }),
  train: obj({ view: literal('train'), params: trainParamsSchema }),
  /** Two runs side by side: metrics, overlaid loss curves, latent maps. */
  compare: obj({
    view: literal('compare'),
    checkpoints: arr(str({ minLength: 1, maxLength: 4096 }), { maxLength: 2 }),
    limit: optional(num({ integer: true, min: 1 })),
  }),
});
export type PanelTarget = Infer<typeof panelTargetSchema>;

/** The files and folders a target makes the engine read (what workspace trust must allow). */
export function targetPaths(target: PanelTarget): string[] {
  if (target.view === 'train') return [target.params.data];
  if (target.view === 'compare') return target.checkpoints;
  if (target.view === 'model') return [...foreignModelPaths(target.model), target.data];
  if (target.view === 'latents') return [target.latents, target.labels, target.images].filter((file) => file !== undefined);
  return target.data ? [target.checkpoint, target.data] : [target.checkpoint];
}

/** The user's settings applied to a target: a sample limit on what explorers encode, op-by-op training steps. */
export function withSettings(target: PanelTarget, settings: { maxPoints: number; eagerTraining: boolean; timelineProbes: number }): PanelTarget {
  if (target.view === 'train') {
    const params = { ...target.params, ...(settings.eagerTraining ? { eager: true } : {}), ...(target.params.timelineProbes === undefined ? { timelineProbes: settings.timelineProbes } : {}) };
    return { ...target, params };
  }
  return settings.maxPoints > 0 ? { ...target, limit: settings.maxPoints } : target;
}

export const hostMessageSchemas = {
  /** First message after `ready`: what to show, and the user's settings that shape it. */
  init: obj({
    type: literal('init'),
    target: panelTargetSchema,
    preferences: optional(obj({ defaultProjection: oneOf(['pca', 'umap', 'tsne'] as const) })),
  }),
  /** A training run the panel follows has ended (its progress arrives as engine `progress` events). */
  trainFinished: obj({ type: literal('trainFinished'), result: trainResultSchema }),
  trainFailed: obj({ type: literal('trainFailed'), message: str({ maxLength: 10_000 }) }),
  /** A checkpoint the panel shows was deleted on disk (another window, a terminal): say so now, not when something fails later. */
  checkpointDeleted: obj({ type: literal('checkpointDeleted'), checkpoint: str({ maxLength: 4096 }) }),
  /** The panel came to the front: a page hidden with `visibility: hidden` learns of it no other way. */
  shown: obj({ type: literal('shown') }),
};

export const webviewMessageSchemas = {
  ready: obj({ type: literal('ready') }),
  /** Stop the training run this panel follows. */
  cancelTraining: obj({ type: literal('cancelTraining') }),
  /** Save text (CSV exports) through the host's save dialog. */
  saveFile: obj({ type: literal('saveFile'), suggestedName: str({ minLength: 1, maxLength: 255 }), content: str({ maxLength: 512 * 1024 * 1024 }) }),
  /** Problems the webview noticed (a malformed message), for the output channel. */
  log: obj({ type: literal('log'), level: oneOf(['info', 'warn', 'error'] as const), message: str({ maxLength: 10_000 }) }),
};

export const hostMessageSchema = tagged('type', hostMessageSchemas);
export const webviewMessageSchema = tagged('type', webviewMessageSchemas);
export type HostMessage = Infer<typeof hostMessageSchema>;
export type WebviewMessage = Infer<typeof webviewMessageSchema>;
