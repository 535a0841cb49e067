/** The engine's request handlers, shared by the engine process and in-process callers (CLI, tests, harness). */
import { loadBackend } from './backend';
import { engineInfo } from './engineInfo';
import { explorerHandlers } from './explorer/explorerHandlers';
import { Sessions } from './explorer/sessions';
import { findModel, wireLocation } from './foreign/findModel';
import { listSignatures } from './foreign/savedModel';
import { listLayers } from './foreign/tfjsLayers';
import { modelKinds } from './models/registry';
import { runTraining } from './training/runTraining';
import type { Handlers } from '../shared/rpc';

export function createHandlers(): Handlers {
  // Sessions need the backend; it is loaded on the first request that needs it.
  const ready = loadBackend().then((backend) => ({ backend, sessions: new Sessions(backend) }));
  const explorer = ready.then(({ backend, sessions }) => explorerHandlers(backend, sessions));
  return {
    info: () => engineInfo(),
    modelKinds: async () => ({ kinds: modelKinds.map((kind) => kind.descriptor) }),
    train: async (params, context) =>
      runTraining((await ready).backend, params, {
        signal: context.signal,
        onProgress: (progress) => context.emit('progress', progress),
        onNote: (message) => context.emit('log', { level: 'info', message }),
      }),
    openSession: async (params, context) => (await ready).sessions.create(params, context.signal),
    closeSession: async (params) => ({ closed: (await ready).sessions.close(params.sessionId) }),
    project: async (params, context) => (await explorer).project(params, context),
    samples: async (params, context) => (await explorer).samples(params, context),
    decode: async (params, context) => (await explorer).decode(params, context),
    priorSamples: async (params, context) => (await explorer).priorSamples(params, context),
    features: async (params, context) => (await explorer).features(params, context),
    unitsUsed: async (params, context) => (await explorer).unitsUsed(params, context),
    topActivating: async (params, context) => (await explorer).topActivating(params, context),
    timeline: async (params, context) => (await explorer).timeline(params, context),
    directions: async (params, context) => (await explorer).directions(params, context),
    saveDirection: async (params, context) => (await explorer).saveDirection(params, context),
    deleteDirection: async (params, context) => (await explorer).deleteDirection(params, context),
    modelLayers: async (params) => ({ layers: await listLayers((await ready).backend.tf, params.model) }),
    modelSignatures: async (params) => ({ graphs: await listSignatures((await ready).backend, params.model) }),
    locateModel: async (params) => ({ location: wireLocation(await findModel(params.path)) }),
  };
}
