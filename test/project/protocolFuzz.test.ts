/**
 * Protocol fuzzing (issue 14.3): generated and mutated messages sent each way through the real code
 * — page → host through the panel bridge, host → engine through the RPC server and the engine's own
 * handlers, notebook payloads into the renderer's parser — with wrong types, huge strings and arrays, deep nesting, prototype-pollution keys,
 * unknown methods and paths outside what the panel opened. Every message is answered with an error
 * or dropped with a logged line; nothing throws, nothing pollutes a prototype, the heap comes back,
 * and no file outside the panel's own is touched (an fs spy records every path the engine opens,
 * reads, lists or stats).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import fc from 'fast-check';
import { encodeNpy } from '../../src/engine/data/readers/npy';
import { createHandlers } from '../../src/engine/handlers';
import { PanelBridge, type ToWebview } from '../../src/extension/panels/panelBridge';
import { PayloadError, parseLatentsPayload, payloadProblem } from '../../src/shared/notebookPayload';
import { engineMethods } from '../../src/shared/protocol';
import { type ReplyMessage, RpcClient, RpcServer } from '../../src/shared/rpc';
import { SchemaError } from '../../src/shared/schema';
import type { PanelTarget } from '../../src/shared/webviewProtocol';
import { repoRoot } from '../support/helpers';

const MESSAGES_EACH_WAY = 10_000;
const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-fuzz-'));
const latentsFile = path.join(dir, 'latents.npy');
const labelsFile = path.join(dir, 'labels.csv');
const target: PanelTarget = { view: 'latents', latents: latentsFile, labels: labelsFile };

/** Hostile files the engine may be pointed at by its (trusted) host: all inside the confined folder. */
const hostile = {
  truncated: path.join(dir, 'truncated.npy'),
  hugeHeader: path.join(dir, 'huge-header.npy'),
  pollutingJson: path.join(dir, 'polluting', 'latent-lab.json'),
  notAModel: path.join(dir, 'model.json'),
};

before(() => {
  writeFileSync(latentsFile, encodeNpy(Float32Array.from({ length: 60 }, (_, i) => Math.cos(i)), [30, 2]));
  writeFileSync(labelsFile, Array.from({ length: 30 }, (_, i) => String(i % 3)).join('\n'));
  writeFileSync(hostile.truncated, encodeNpy(new Float32Array(64), [32, 2]).subarray(0, 90));
  writeFileSync(hostile.hugeHeader, Buffer.concat([Buffer.from('\x93NUMPY\x01\x00\xff\xff'), Buffer.alloc(200, 0x20)]));
  mkdirSync(path.dirname(hostile.pollutingJson));
  writeFileSync(hostile.pollutingJson, '{"kind": "ae", "__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');
  writeFileSync(hostile.notAModel, '{"format": "layers-model", "modelTopology": {"__proto__": {"polluted": true}}}');
});
after(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// What the engine touches: every fs entry point the engine's readers use, wrapped to record paths.

const touched = new Set<string>();
type Patchable = Record<string, unknown>;
/** The modules themselves, not an import's copy of their exports, so that the engine's calls are seen. */
const nodeRequire = createRequire(__filename);
const fs = nodeRequire('node:fs') as Patchable;
const fsp = nodeRequire('node:fs/promises') as Patchable;
function spyOn(module: Patchable, names: string[]): () => void {
  const originals = names.map((name) => [name, module[name]] as const);
  for (const [name, original] of originals) {
    module[name] = function (this: unknown, ...args: unknown[]) {
      const first = args[0];
      if (typeof first === 'string' || first instanceof URL || Buffer.isBuffer(first)) touched.add(path.resolve(first instanceof URL ? first.pathname : first.toString()));
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
  return () => {
    for (const [name, original] of originals) module[name] = original;
  };
}

/** Code the process loads while it runs (lazy requires, the UMAP worker) is not data. */
const isCode = (file: string) => /\.(js|cjs|mjs|ts|json|node|wasm|map)$/.test(file) && (file.startsWith(path.join(repoRoot, 'node_modules')) || file.startsWith(path.join(repoRoot, 'src')) || file.startsWith(path.join(repoRoot, 'dist')));

function escapesOutside(allowed: (file: string) => boolean): string[] {
  return [...touched].filter((file) => !allowed(file) && !isCode(file));
}

// ---------------------------------------------------------------------------------------------
// Generators.

const pollutingKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf');
const anyKey = fc.oneof(fc.string({ maxLength: 12 }), pollutingKey);
const weird = fc.anything({ key: anyKey, maxDepth: 3, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true });

/** Nested `depth` levels deep: deep nesting must be refused, not recursed into until the stack ends. */
const deep = fc.integer({ min: 50, max: 5000 }).map((depth) => {
  let value: unknown = {};
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { inner: value };
  return value;
});
const huge = fc.oneof(
  fc.integer({ min: 10_001, max: 200_000 }).map((length) => 'x'.repeat(length)),
  fc.integer({ min: 1000, max: 100_000 }).map((length) => Array.from({ length }, (_, i) => i)),
  fc.integer({ min: 1_000_001, max: 2_000_000 }).map((length) => new Float32Array(length)),
);
const outsidePaths = ['/etc/passwd', '/dev/zero', '/proc/self/environ', `${dir}/../outside.npy`, '../../package.json', 'sample', path.join(repoRoot, 'package.json'), `file://${latentsFile}`, `${latentsFile}\0.png`];
const ownPaths = [latentsFile, labelsFile];
const engineOnlyPaths = [...Object.values(hostile), dir, path.join(dir, 'missing.npy')];

function field(paths: string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...paths) },
    { weight: 2, arbitrary: weird },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.constantFrom('pca', 'umap', 'tsne', 'raw', 'ae', 'vae', 'vqvae', '', 'session-1') },
  );
}

/** Params shaped like the method's, each field sometimes right and sometimes hostile, sometimes with extra keys. */
function paramsFor(method: string, paths: string[], sessionIds: string[]): fc.Arbitrary<unknown> {
  const spec = Object.prototype.hasOwnProperty.call(engineMethods, method) ? (engineMethods as Record<string, { params: { shape?: Record<string, unknown> } }>)[method] : undefined;
  const keys = spec?.params.shape ? Object.keys(spec.params.shape) : ['sessionId', 'latents', 'path'];
  const value = fc.oneof(field(paths), fc.constantFrom(...sessionIds), fc.constant(new Float32Array([0.5, -0.5])), fc.constant(Int32Array.from([0, 1, 2])), fc.constant(new Int32Array([-1, 1e9])));
  const shaped = fc.record(Object.fromEntries(keys.map((key) => [key, value])), { requiredKeys: [] });
  // Every field a path or a session: the shape that gets past validation and reaches the files.
  const pathKeys = keys.filter((key) => ['checkpoint', 'latents', 'labels', 'images', 'data', 'path', 'sessionId'].includes(key));
  const plausible = fc.record(Object.fromEntries(pathKeys.map((key) => [key, fc.constantFrom(...paths, ...sessionIds)])), { requiredKeys: [] });
  return fc.oneof(
    { weight: 4, arbitrary: plausible },
    { weight: 4, arbitrary: shaped },
    { weight: 1, arbitrary: fc.tuple(shaped, fc.dictionary(anyKey, weird, { maxKeys: 3 })).map(([params, extra]) => ({ ...extra, ...params })) },
    { weight: 1, arbitrary: weird },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: huge },
  );
}

const methodNames = Object.keys(engineMethods);
function requests(paths: string[], sessionIds: string[], methods: string[]): fc.Arbitrary<unknown> {
  const method = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...methods) }, { weight: 1, arbitrary: fc.constantFrom('launchRockets', '__proto__', 'constructor', 'toString', '') }, { weight: 1, arbitrary: weird });
  const id = fc.oneof({ weight: 8, arbitrary: fc.nat({ max: 1_000_000 }) }, { weight: 1, arbitrary: weird }, { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, Number.NaN, 2 ** 60) });
  return fc.tuple(method, id).chain(([name, requestId]) => paramsFor(typeof name === 'string' ? name : '', paths, sessionIds).map((params) => ({ type: 'request', id: requestId, method: name, params })));
}

const pageMessages = (sessionIds: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: requests([...ownPaths, ...outsidePaths], sessionIds, methodNames) },
    { weight: 2, arbitrary: fc.record({ type: fc.constantFrom('ready', 'cancelTraining', 'saveFile', 'log', 'init', 'trainFinished', '__proto__', 'constructor'), suggestedName: field(outsidePaths), content: fc.oneof(fc.string(), weird), level: fc.constantFrom('info', 'warn', 'error', 'fatal'), message: fc.oneof(fc.string(), huge) }, { requiredKeys: ['type'] }) },
    { weight: 1, arbitrary: weird },
    { weight: 1, arbitrary: deep },
  );

// ---------------------------------------------------------------------------------------------

function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const figures = { fuzzMessages: 0, crashes: 0, escapes: 0 };
let crashes = 0;
const onCrash = () => crashes++;

test('page → host: every message from a hostile page is answered or logged, and no file outside the panel is touched', { timeout: 600_000 }, async () => {
  process.on('unhandledRejection', onCrash);
  const server = new RpcServer(createHandlers(), (message) => engine.receive(message));
  const engine: RpcClient = new RpcClient({ send: (message) => void server.handle(message) });
  // What the bridge posted and logged for the message in hand only: the test must not hold the heap it measures.
  let posted: ToWebview[] = [];
  let logged = 0;
  const bridge = new PanelBridge(target, {
    request: (method, params, options) => engine.request(method, params, options).result,
    post: (message) => posted.push(message),
    isUntrusted: () => false,
    log: () => logged++,
    preferences: () => ({ defaultProjection: 'pca' }),
    saveFile: async () => {},
  });
  // A real session of this panel, so that requests on it reach the engine's handlers.
  await bridge.receive({ type: 'request', id: 0, method: 'openSession', params: { latents: latentsFile, labels: labelsFile } });
  const opened = posted.find((message): message is Extract<ReplyMessage, { type: 'response' }> => message.type === 'response' && message.id === 0);
  assert.equal(opened?.ok, true, `the panel's own latents open: ${opened?.error?.message}`);
  const ownSession = (opened.result as { sessionId: string }).sessionId;
  const heapBefore = heapAfterGc();
  const restore = [spyOn(fsp, ['open', 'readFile', 'readdir', 'opendir', 'stat', 'lstat', 'realpath', 'access']), spyOn(fs, ['createReadStream', 'readFileSync', 'openSync', 'existsSync', 'statSync', 'readdirSync'])];
  touched.clear();
  let unanswered = 0;
  try {
    await fc.assert(
      fc.asyncProperty(pageMessages([ownSession, 'session-1', '']), async (message) => {
        figures.fuzzMessages++;
        posted = [];
        const logsBefore = logged;
        await bridge.receive(message);
        const id = readableId(message);
        const answered = id !== undefined && posted.some((reply) => reply.type === 'response' && reply.id === id);
        const noted = logged > logsBefore || posted.length > 0;
        if (!answered && !noted && !isHarmless(message)) unanswered++;
      }),
      { numRuns: MESSAGES_EACH_WAY, seed: 1214, endOnFailure: true },
    );
  } finally {
    for (const undo of restore) undo();
    process.off('unhandledRejection', onCrash);
  }
  posted = [];
  // The sessions the page opened close with the panel; then the engine holds only the panel's own.
  bridge.dispose();
  await engine.request('info', {}).result;
  const escaped = escapesOutside((file) => file === latentsFile || file === labelsFile);
  figures.escapes += escaped.length;
  figures.crashes += crashes;
  assert.deepEqual(escaped, [], 'files the page made the engine touch outside what the panel opened');
  assert.equal(unanswered, 0, 'messages neither answered nor logged');
  assert.equal(crashes, 0);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'Object.prototype is untouched');
  const heapAfter = heapAfterGc();
  assert.ok(heapAfter < heapBefore * 1.1, `heap ${(heapBefore / 2 ** 20).toFixed(1)} → ${(heapAfter / 2 ** 20).toFixed(1)} MiB`);
});

test('host → engine: the engine answers every generated request it can read, and keeps serving', { timeout: 600_000 }, async () => {
  process.on('unhandledRejection', onCrash);
  crashes = 0;
  let replies: ReplyMessage[] = [];
  let logged = 0;
  const server = new RpcServer(createHandlers(), (message) => replies.push(message), { log: () => logged++ });
  await server.handle({ type: 'request', id: 0, method: 'openSession', params: { latents: latentsFile } });
  const opened = replies.find((reply) => reply.type === 'response' && reply.id === 0);
  assert.ok(opened?.type === 'response' && opened.ok, 'a real session to aim requests at');
  const sessionId = (opened.result as { sessionId: string }).sessionId;
  // Training on generated params would train for real: `train` is pointed only at files that cannot train.
  const methods = methodNames.filter((method) => method !== 'train');
  const heapBefore = heapAfterGc();
  let unanswered = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 8, arbitrary: requests([latentsFile, ...engineOnlyPaths], [sessionId, 'session-1', ''], methods) }, { weight: 1, arbitrary: requests(engineOnlyPaths, [''], ['train']) }, { weight: 1, arbitrary: weird }), async (message) => {
        figures.fuzzMessages++;
        replies = [];
        const logsBefore = logged;
        await server.handle(message);
        const id = readableId(message);
        if (id !== undefined ? !replies.some((reply) => reply.type === 'response' && reply.id === id) : logged === logsBefore) unanswered++;
      }),
      { numRuns: MESSAGES_EACH_WAY, seed: 1215, endOnFailure: true },
    );
  } finally {
    process.off('unhandledRejection', onCrash);
  }
  figures.crashes += crashes;
  assert.equal(unanswered, 0, 'requests neither answered nor logged');
  assert.equal(crashes, 0);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'Object.prototype is untouched');
  await server.handle({ type: 'request', id: 2_000_000, method: 'info', params: {} });
  const last = replies.at(-1);
  assert.ok(last?.type === 'response' && last.id === 2_000_000 && last.ok, 'still serving');
  await server.handle({ type: 'request', id: 2_000_001, method: 'closeSession', params: { sessionId } });
  const heapAfter = heapAfterGc();
  assert.ok(heapAfter < heapBefore * 1.1, `heap ${(heapBefore / 2 ** 20).toFixed(1)} → ${(heapAfter / 2 ** 20).toFixed(1)} MiB`);
});

test('notebook → renderer: every generated payload is drawn or refused in one line that says where', () => {
  const encoded = (dtype: 'float32' | 'int32' | 'uint8', shape: unknown, values: ArrayLike<number>) => ({ dtype, shape, data: Buffer.from((dtype === 'float32' ? Float32Array : dtype === 'int32' ? Int32Array : Uint8Array).from(values).buffer).toString('base64') });
  const part = <T>(valid: T) => fc.oneof({ weight: 3, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: weird }, { weight: 1, arbitrary: fc.constant(undefined) });
  const shape = fc.oneof(fc.array(fc.oneof(fc.nat(8), fc.integer(), fc.constant(2 ** 31)), { maxLength: 5 }), weird);
  const payload = fc.record({
    version: part(1),
    title: part('fuzz'),
    latents: fc.oneof(part(encoded('float32', [4, 2], [0, 1, 2, 3, 4, 5, 6, 7])), fc.tuple(shape, fc.float32Array({ maxLength: 64 })).map(([dims, values]) => encoded('float32', dims, values))),
    labels: fc.oneof(part(encoded('int32', [4], [0, 1, 2, 1])), fc.tuple(shape, fc.int32Array({ maxLength: 8 })).map(([dims, values]) => encoded('int32', dims, values))),
    labelNames: part(['a', 'b', 'c']),
    thumbnails: fc.oneof(part(encoded('uint8', [4, 1, 1], [1, 2, 3, 4])), fc.tuple(shape, fc.uint8Array({ maxLength: 64 })).map(([dims, values]) => encoded('uint8', dims, values)), fc.record({ dtype: fc.constant('uint8'), shape, data: fc.oneof(fc.string(), fc.base64String()) })),
  }, { requiredKeys: [] });
  let drawn = 0;
  let refused = 0;
  fc.assert(
    fc.property(fc.oneof({ weight: 8, arbitrary: payload }, { weight: 1, arbitrary: weird }, { weight: 1, arbitrary: deep }), (value) => {
      figures.fuzzMessages++;
      try {
        parseLatentsPayload(value);
        drawn++;
      } catch (error) {
        assert.ok(error instanceof SchemaError || error instanceof PayloadError, `not a validation error: ${String(error)}`);
        assert.doesNotMatch(payloadProblem(error), /\n/, 'one line');
        refused++;
      }
    }),
    { numRuns: MESSAGES_EACH_WAY, seed: 1216, endOnFailure: true },
  );
  assert.ok(drawn > 0 && refused > 0, `both outcomes are exercised (${drawn} drawn, ${refused} refused)`);
  assert.equal(({} as { polluted?: unknown }).polluted, undefined, 'Object.prototype is untouched');
  console.log(JSON.stringify(figures));
});

/** The id a sender could be answered at, as the RPC reads it. */
function readableId(message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'request') return undefined;
  const id = (message as { id?: unknown }).id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : undefined;
}

/** Well-formed page messages that need no answer (ready is answered with init, log is logged). */
function isHarmless(message: unknown): boolean {
  const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
  return type === 'cancelTraining' || type === 'saveFile';
}
