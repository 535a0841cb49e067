/**
 * `leakedTensors`: live tensors after 1000 explorer requests minus before, on a real session — the
 * hover (`samples`: encode + decode) and slider (`decode`) requests that a long session repeats.
 */
import { loadBackend } from '../src/engine/backend';
import type { RequestContext } from '../src/shared/rpc';
import { createHandlers } from '../src/engine/handlers';
import { benchVae, cachedCheckpoint } from './cachedCheckpoint';
import type { BenchOptions, Figure } from './figures';
import { mnistTestPath } from './mnist';

const REQUESTS = 1000;

export async function benchEngineLeaks(options: BenchOptions): Promise<Figure[]> {
  const backend = await loadBackend();
  const checkpoint = await cachedCheckpoint(backend, benchVae(options));
  const handlers = createHandlers();
  const context: RequestContext = { signal: new AbortController().signal, emit: () => undefined };
  const session = await handlers.openSession({ checkpoint, data: mnistTestPath, limit: 2000 }, context);
  const { tf } = backend;
  // The first requests build kernels and caches that then live for the process; count after them.
  await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.of(0) }, context);
  await handlers.decode({ sessionId: session.sessionId, latents: session.latents.slice(0, session.latentDim) }, context);
  const before = tf.memory().numTensors;
  for (let i = 0; i < REQUESTS; i++) {
    const index = (i * 37) % session.count;
    if (i % 2 === 0) await handlers.samples({ sessionId: session.sessionId, indices: Int32Array.of(index, (index + 1) % session.count) }, context);
    else await handlers.decode({ sessionId: session.sessionId, latents: session.latents.slice(index * session.latentDim, (index + 1) * session.latentDim) }, context);
  }
  const leaked = tf.memory().numTensors - before;
  await handlers.closeSession({ sessionId: session.sessionId }, context);
  return [
    {
      field: 'leakedTensors',
      value: leaked,
      ours: `${leaked} tensors after ${REQUESTS} samples/decode requests (${before} live before)`,
      reference: '0',
      target: '= 0',
      met: leaked === 0,
    },
  ];
}
