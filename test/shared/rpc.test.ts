/**
 * The one RPC machine: a client and a server joined in memory, as the harness joins them, with the
 * engine's real handlers where the engine's answer matters and handlers that wait for their cancel
 * where only the machine's behaviour does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHandlers } from '../../src/engine/handlers';
import { EngineError } from '../../src/shared/protocol';
import { type Handlers, parseReply, parseRequest, RequestError, type ReplyMessage, RpcClient, RpcServer, type EngineEvent, type RequestMessage } from '../../src/shared/rpc';

interface Wire {
  client: RpcClient;
  server: RpcServer;
  problems: string[];
  unrouted: EngineEvent[];
  serverLog: string[];
  /** Everything the client sent, cancels included. */
  sent: RequestMessage[];
  /** Lets a test forge what the server "sends". */
  reply(message: unknown): void;
}

function wire(handlers: Partial<Handlers>, options: { refusal?: (method: string) => string } = {}): Wire {
  const problems: string[] = [];
  const unrouted: EngineEvent[] = [];
  const serverLog: string[] = [];
  const sent: RequestMessage[] = [];
  const server: RpcServer = new RpcServer(handlers, (message: ReplyMessage) => client.receive(message), { log: (line) => serverLog.push(line), ...options });
  const client: RpcClient = new RpcClient({
    send: (message) => {
      sent.push(message);
      void server.handle(message);
    },
    onEvent: (event) => unrouted.push(event),
    onProblem: (problem) => problems.push(problem),
  });
  return { client, server, problems, unrouted, serverLog, sent, reply: (message) => client.receive(message) };
}

/** A handler that runs until it is cancelled, like a long projection. */
const untilCancelled = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));

test('parseRequest accepts a well-formed request and names what is wrong with the rest, keeping the id', () => {
  assert.deepEqual(parseRequest({ type: 'request', id: 4, method: 'info', params: {} }), { id: 4, method: 'info', params: {} });
  assert.throws(() => parseRequest({ type: 'request', id: 9, method: 'formatDisk', params: {} }), (error: RequestError) => error.id === 9 && error.code === 'unknown-method' && /formatDisk/.test(error.message));
  assert.throws(() => parseRequest({ type: 'request', id: 2, method: 'cancel', params: { requestId: -1 } }), (error: RequestError) => error.id === 2 && error.code === 'bad-request' && /cancel.params.requestId/.test(error.message));
  assert.throws(() => parseRequest('hello'), (error: RequestError) => error.id === undefined && error.code === 'bad-request');
});

test('parseReply validates response and event envelopes', () => {
  assert.equal(parseReply({ type: 'event', event: 'log', data: {} }).type, 'event');
  assert.throws(() => parseReply({ type: 'gossip' }), /message.type/);
  assert.throws(() => parseReply({ type: 'response', id: 'x', ok: true }), /response.id/);
});

test('a request comes back as its validated result from the real engine handlers', async () => {
  const { client } = wire(createHandlers());
  const info = await client.request('info', {}).result;
  assert.equal(info.pid, process.pid);
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.backend));
  assert.equal(client.pendingCount, 0);
});

test('a malformed result is refused and reported, not handed to the caller', async () => {
  const { client, problems } = wire({ locateModel: async () => ({ location: { format: 'zip', paths: [] } }) as never });
  await assert.rejects(client.request('locateModel', { path: '/x' }).result, (error: EngineError) => error.code === 'failed' && /malformed locateModel result/.test(error.message));
  assert.match(problems.join('\n'), /locateModel\.result\.location\.format/);
});

test('events go to the request they belong to, the rest to the listener of no request; malformed ones are dropped', async () => {
  const w = wire({
    project: async (_params, context) => {
      context.emit('projectProgress', { fraction: 0.5, stage: 'layout' });
      return { coordinates: new Float32Array(2), method: 'pca' };
    },
  });
  const own: EngineEvent[] = [];
  await w.client.request('project', { sessionId: 's', method: 'pca' }, { onEvent: (event) => own.push(event) }).result;
  assert.deepEqual(own, [{ event: 'projectProgress', data: { fraction: 0.5, stage: 'layout' } }]);
  w.server.emit('log', { level: 'info', message: 'hello' });
  assert.deepEqual(w.unrouted, [{ event: 'log', data: { level: 'info', message: 'hello' } }]);
  w.reply({ type: 'event', event: 'projectProgress', data: { fraction: 7, stage: 'x' } });
  w.reply({ type: 'event', event: 'launch', data: {} });
  w.reply({ type: 'response', id: 'one', ok: true });
  assert.equal(w.unrouted.length, 1, 'nothing malformed was delivered');
  assert.equal(w.problems.length, 3);
  assert.ok(w.problems.every((problem) => /^ignored a malformed/.test(problem)), w.problems.join('\n'));
});

test('cancel and an aborted signal stop the handler at the other end and fail the request with cancelled', async () => {
  let stopped = 0;
  const { client } = wire({
    project: async (_params, context) => {
      context.signal.addEventListener('abort', () => stopped++);
      return untilCancelled(context.signal);
    },
  });
  const first = client.request('project', { sessionId: 's', method: 'umap' });
  first.cancel();
  await assert.rejects(first.result, (error: EngineError) => error.code === 'cancelled');
  const controller = new AbortController();
  const second = client.request('project', { sessionId: 's', method: 'umap' }, { signal: controller.signal });
  controller.abort();
  await assert.rejects(second.result, (error: EngineError) => error.code === 'cancelled');
  assert.equal(stopped, 2);
  await assert.rejects(client.request('info', {}, { signal: controller.signal }).result, (error: EngineError) => error.code === 'cancelled', 'an aborted signal never sends');
});

test('a request with a timeout fails with timeout and is cancelled at the other end', async () => {
  let aborted = false;
  const w = wire({
    decode: async (_params, context) => {
      context.signal.addEventListener('abort', () => (aborted = true));
      return untilCancelled(context.signal);
    },
  });
  await assert.rejects(w.client.request('decode', { sessionId: 's', latents: new Float32Array(2) }, { timeoutMs: 30 }).result, (error: EngineError) => error.code === 'timeout' && /decode got no answer within 30 ms/.test(error.message));
  assert.ok(aborted, 'the handler was cancelled');
  assert.deepEqual(w.sent.map((message) => message.method), ['decode', 'cancel']);
  assert.equal(w.client.pendingCount, 0);
});

test('failAll fails everything pending (a dead process), and a send that throws fails its request', async () => {
  const { client } = wire({ project: async (_params, context) => untilCancelled(context.signal) });
  const pending = client.request('project', { sessionId: 's', method: 'tsne' }).result;
  client.failAll(new EngineError('engine-died', 'gone'));
  await assert.rejects(pending, (error: EngineError) => error.code === 'engine-died');
  const broken = new RpcClient({ send: () => { throw new Error('channel closed'); } });
  await assert.rejects(broken.request('info', {}).result, (error: EngineError) => error.code === 'engine-died' && /channel closed/.test(error.message));
});

test('the server answers what it can read, refuses what it does not serve, and logs what it cannot answer', async () => {
  const replies: ReplyMessage[] = [];
  const log: string[] = [];
  const server = new RpcServer({ info: async () => { throw new Error('boom'); } }, (message) => replies.push(message), { log: (line) => log.push(line), refusal: (method) => `the explorer may not call ${method}` });
  await server.handle({ type: 'request', id: 1, method: 'train', params: { model: 'ae', data: 'sample', epochs: 1 } });
  await server.handle({ type: 'request', id: 2, method: 'launchRockets', params: {} });
  await server.handle({ type: 'request', id: 3, method: 'info', params: {} });
  await server.handle({ type: 'request', id: 4, method: 'cancel', params: { requestId: 99 } });
  await server.handle({ __proto__: { type: 'request' }, id: 5 });
  await server.handle('garbage');
  const byId = new Map(replies.flatMap((reply) => (reply.type === 'response' ? [[reply.id, reply] as const] : [])));
  assert.deepEqual(byId.get(1), { type: 'response', id: 1, ok: false, result: undefined, error: { code: 'bad-request', message: 'the explorer may not call train' } });
  assert.equal(byId.get(2)?.error?.code, 'unknown-method');
  assert.equal(byId.get(3)?.error?.message, 'boom');
  assert.deepEqual(byId.get(4), { type: 'response', id: 4, ok: true, result: { cancelled: false } });
  assert.equal(byId.get(5)?.error?.code, 'bad-request', 'an inherited type is not a request');
  assert.equal(replies.length, 5, 'garbage without an id gets no answer');
  assert.equal(log.length, 4, log.join('\n'));
});
