/**
 * The panel bridge, as the host and the webview harness both run it: what a page may ask of the
 * engine, what it may not, and how a followed run reaches the page. The engine behind it is the real
 * in-process one (createHandlers) on a small latents file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import { createHandlers } from '../../src/engine/handlers';
import { PanelBridge, type PanelHost, type ToWebview } from '../../src/extension/panels/panelBridge';
import { EngineError, type TrainResult } from '../../src/shared/protocol';
import { RpcClient, RpcServer } from '../../src/shared/rpc';
import type { PanelTarget } from '../../src/shared/webviewProtocol';

const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-bridge-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const latentsFile = path.join(dir, 'latents.npy');
writeFileSync(latentsFile, encodeNpy(Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)), [20, 2]));
const untrustedFile = path.join(dir, 'untrusted', 'latents.npy');

const server = new RpcServer(createHandlers(), (message) => engine.receive(message));
const engine: RpcClient = new RpcClient({ send: (message) => void server.handle(message) });

interface Recorder {
  bridge: PanelBridge;
  posted: ToWebview[];
  logs: string[];
  asked: string[];
  /** Waits for the response to a page request. */
  response(id: number): Promise<Extract<ToWebview, { type: 'response' }>>;
}

function bridgeFor(target: PanelTarget, overrides: Partial<PanelHost> = {}): Recorder {
  const posted: ToWebview[] = [];
  const logs: string[] = [];
  const asked: string[] = [];
  const host: PanelHost = {
    request: (method, params, options) => {
      asked.push(method);
      return engine.request(method, params, options).result;
    },
    post: (message) => posted.push(message),
    isUntrusted: (file) => file.startsWith(path.join(dir, 'untrusted')),
    log: (level, message) => logs.push(`${level}: ${message}`),
    preferences: () => ({ defaultProjection: 'umap' }),
    saveFile: async () => {},
    ...overrides,
  };
  const response = async (id: number) => {
    for (let tries = 0; tries < 500; tries++) {
      const found = posted.find((message): message is Extract<ToWebview, { type: 'response' }> => message.type === 'response' && message.id === id);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no response to request ${id}`);
  };
  return { bridge: new PanelBridge(target, host), posted, logs, asked, response };
}

const latentsTarget: PanelTarget = { view: 'latents', latents: latentsFile };

test('ready gets the target and the preferences; a malformed page message is logged, not thrown', async () => {
  const { bridge, posted, logs } = bridgeFor(latentsTarget);
  await bridge.receive({ type: 'ready' });
  assert.deepEqual(posted, [{ type: 'init', target: latentsTarget, preferences: { defaultProjection: 'umap' } }]);
  await bridge.receive({ type: 'saveFile', suggestedName: 42 });
  await bridge.receive(null);
  assert.equal(logs.length, 2);
  assert.ok(logs.every((line) => /^error: ignored a malformed message from the explorer webview/.test(line)), logs.join('\n'));
});

test('the page may explore what its panel opened, but not train, not other files, not an untrusted path, not others\' sessions', async () => {
  const { bridge, asked, response, logs } = bridgeFor(latentsTarget);
  await bridge.receive({ type: 'request', id: 1, method: 'train', params: { model: 'ae', data: 'sample', epochs: 1 } });
  await bridge.receive({ type: 'request', id: 2, method: 'modelLayers', params: { model: '/etc/passwd' } });
  await bridge.receive({ type: 'request', id: 3, method: 'openSession', params: { latents: '/etc/passwd' } });
  await bridge.receive({ type: 'request', id: 5, method: 'openSession', params: { latents: latentsFile, images: '/dev/zero' } });
  await bridge.receive({ type: 'request', id: 6, method: 'decode', params: { sessionId: 'someone-elses', latents: new Float32Array(2) } });
  assert.match((await response(1)).error?.message ?? '', /the explorer may not call train/);
  assert.match((await response(2)).error?.message ?? '', /the explorer may not call modelLayers/);
  assert.match((await response(3)).error?.message ?? '', /\/etc\/passwd is not what this panel was opened on/);
  assert.match((await response(5)).error?.message ?? '', /\/dev\/zero is not what this panel was opened on/);
  assert.match((await response(6)).error?.message ?? '', /session someone-elses is not one this panel opened/);
  const untrusted = bridgeFor({ view: 'latents', latents: untrustedFile });
  await untrusted.bridge.receive({ type: 'request', id: 1, method: 'openSession', params: { latents: untrustedFile } });
  assert.match((await untrusted.response(1)).error?.message ?? '', /untrusted workspace/);
  assert.deepEqual([...asked, ...untrusted.asked], [], 'none of them reached the engine');
  assert.equal(logs.length, 5);

  await bridge.receive({ type: 'request', id: 4, method: 'openSession', params: { latents: latentsFile } });
  const opened = await response(4);
  assert.equal(opened.ok, true);
  assert.equal((opened.result as { count: number }).count, 20);
});

test('events of a page request carry its id; cancel from the page stops the engine call', async () => {
  const { bridge, posted, response } = bridgeFor(latentsTarget);
  await bridge.receive({ type: 'request', id: 7, method: 'openSession', params: { latents: latentsFile } });
  const { sessionId } = (await response(7)).result as { sessionId: string };
  await bridge.receive({ type: 'request', id: 8, method: 'project', params: { sessionId, method: 'tsne' } });
  const projected = await response(8);
  assert.equal(projected.ok, true);
  const progress = posted.filter((message) => message.type === 'event');
  assert.ok(progress.length > 0 && progress.every((message) => message.type === 'event' && message.requestId === 8 && message.event === 'projectProgress'));

  let stopped = false;
  const hanging = bridgeFor(latentsTarget, {
    request: (method, params, options) => {
      if (method !== 'project') return engine.request(method, params, options).result;
      return new Promise((_, reject) => options.signal?.addEventListener('abort', () => ((stopped = true), reject(new EngineError('cancelled', 'cancelled by the user')))));
    },
  });
  await hanging.bridge.receive({ type: 'request', id: 19, method: 'openSession', params: { latents: latentsFile } });
  const own = ((await hanging.response(19)).result as { sessionId: string }).sessionId;
  void hanging.bridge.receive({ type: 'request', id: 20, method: 'project', params: { sessionId: own, method: 'umap' } });
  await hanging.bridge.receive({ type: 'request', id: 21, method: 'cancel', params: { requestId: 20 } });
  assert.deepEqual(await hanging.response(21), { type: 'response', id: 21, ok: true, result: { cancelled: true } });
  assert.equal((await hanging.response(20)).error?.code, 'cancelled');
  assert.ok(stopped);
});

test('closing the panel closes the sessions the page left open', async () => {
  const { bridge, asked, response } = bridgeFor(latentsTarget);
  await bridge.receive({ type: 'request', id: 1, method: 'openSession', params: { latents: latentsFile } });
  await bridge.receive({ type: 'request', id: 2, method: 'openSession', params: { latents: latentsFile } });
  const first = ((await response(1)).result as { sessionId: string }).sessionId;
  await response(2);
  await bridge.receive({ type: 'request', id: 3, method: 'closeSession', params: { sessionId: first } });
  await response(3);
  bridge.dispose();
  assert.deepEqual(asked, ['openSession', 'openSession', 'closeSession', 'closeSession']);
});

test('a followed run reaches the page as progress, then trainFinished, and the panel turns into its checkpoint', async () => {
  const out = path.join(dir, 'run');
  const { bridge, posted } = bridgeFor({ view: 'train', params: { model: 'ae', data: 'sample', limit: 200, epochs: 2, out, config: { hidden: [8] } } });
  const seen: number[] = [];
  const result = await bridge.follow((options) => engine.request('train', { model: 'ae', data: 'sample', limit: 200, epochs: 2, out, config: { hidden: [8] } }, options).result, (progress) => seen.push(progress.epoch));
  assert.equal(result.status, 'completed');
  assert.ok(seen.includes(2));
  const events = posted.filter((message) => message.type === 'event');
  assert.ok(events.length > 0 && events.every((message) => message.type === 'event' && message.requestId === undefined), 'progress of no page request');
  assert.deepEqual(posted.at(-1), { type: 'trainFinished', result });
  assert.deepEqual(bridge.shown, { view: 'explore', checkpoint: out });
});

test('cancelTraining from the page stops the run; a failed run posts trainFailed', async () => {
  const { bridge, posted } = bridgeFor({ view: 'train', params: { model: 'ae', data: 'sample', epochs: 1 } });
  const cancelled = bridge.follow(
    (options) =>
      new Promise<TrainResult>((_, reject) => options.signal?.addEventListener('abort', () => reject(new EngineError('cancelled', 'cancelled by the user')))),
  );
  await bridge.receive({ type: 'cancelTraining' });
  await assert.rejects(cancelled, /cancelled by the user/);
  assert.deepEqual(posted.at(-1), { type: 'trainFailed', message: 'cancelled by the user' });
});

test('a page may not read the folder its panel opened as another format: a SavedModel runs only as the panel opened it', async () => {
  const folder = path.join(dir, 'model');
  const { bridge, asked, response } = bridgeFor({ view: 'model', model: { format: 'tfjs-layers', model: folder }, data: latentsFile });
  await bridge.receive({ type: 'request', id: 1, method: 'openSession', params: { model: { format: 'savedmodel', model: folder }, data: latentsFile } });
  assert.match((await response(1)).error?.message ?? '', /a savedmodel model at .*model is not what this panel was opened on/);
  assert.deepEqual(asked, []);
});
