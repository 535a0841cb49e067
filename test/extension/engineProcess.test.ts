import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { EngineProcess } from '../../src/extension/engineProcess';
import type { EngineEvent } from '../../src/shared/rpc';
import { distPath } from '../support/helpers';

const events: EngineEvent[] = [];
const invalid: string[] = [];
const exits: string[] = [];
const client = new EngineProcess({
  enginePath: distPath('engine.js'),
  onEvent: (message) => events.push(message),
  onExit: (description) => exits.push(description),
  onProblem: (problem) => invalid.push(problem),
});
after(() => client.dispose());

test('info comes back from a forked engine process with a validated backend', async () => {
  const info = await client.request('info', {});
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.backend));
  assert.equal(info.native, info.backend === 'tensorflow');
  assert.notEqual(info.pid, process.pid, 'the engine runs in its own process');
  assert.equal(info.pid, client.pid);
});

test('the engine answers malformed and unknown requests with errors and keeps serving', async () => {
  const replies: unknown[] = [];
  const child = (client as unknown as { child: import('node:child_process').ChildProcess }).child;
  const collect = (message: unknown) => replies.push(message);
  child.on('message', collect);
  client.sendRaw({ type: 'request', id: 1001, method: 'launchRockets', params: {} });
  client.sendRaw({ type: 'request', id: 1002, method: 'info', params: { surprise: true } });
  client.sendRaw({ garbage: [1, 2, 3] });
  client.sendRaw('not even an object');
  const info = await client.request('info', {});
  child.off('message', collect);
  const byId = new Map(replies.map((reply) => [(reply as { id: number }).id, reply as { ok: boolean; error: { code: string; message: string } }]));
  assert.equal(byId.get(1001)?.ok, false);
  assert.equal(byId.get(1001)?.error.code, 'unknown-method');
  assert.equal(byId.get(1002)?.error.code, 'bad-request');
  assert.match(byId.get(1002)!.error.message, /info\.params\.surprise/);
  assert.equal(info.pid, client.pid, 'the same process still answers after bad input');
  const warnings = events.flatMap((event) => (event.event === 'log' ? [event.data.message] : []));
  assert.ok(warnings.some((message) => message.includes('rejected message')), 'unanswerable messages are logged');
});

test('train over the protocol streams progress events to its request and cancels within a batch', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'latent-lab-engine-')), 'run');
  t.after(() => rmSync(path.dirname(out), { recursive: true, force: true }));
  const progress: EngineEvent[] = [];
  const completed = await client.request('train', { model: 'ae', data: 'sample', limit: 400, epochs: 2, out, config: { hidden: [16] } }, { onEvent: (event) => progress.push(event) });
  assert.equal(completed.status, 'completed');
  assert.equal(completed.checkpoint, out);
  // Only this request's events reach its listener: progress, none of the engine's log lines.
  assert.ok(progress.every((event) => event.event === 'progress'));
  const epochs = progress.flatMap((event) => (event.event === 'progress' && event.data.phase === 'epoch' ? [event.data.epoch] : []));
  assert.deepEqual(epochs, [1, 2]);
  assert.ok(!events.some((event) => event.event === 'progress'), 'no progress event strays to the listener of no request');

  const controller = new AbortController();
  const cancelled = await client.request('train', { model: 'ae', data: 'sample', limit: 2000, epochs: 100, batchSize: 20, out, config: { hidden: [16] } }, {
    signal: controller.signal,
    onEvent: () => controller.abort(),
  });
  assert.equal(cancelled.status, 'cancelled');
  assert.ok(cancelled.epoch <= 1, `stopped within the first epochs (epoch ${cancelled.epoch})`);
});

test('a dead engine fails the pending request with engine-died and restarts on the next request', async () => {
  const firstPid = client.pid!;
  const pending = client.request('info', {});
  process.kill(firstPid, 'SIGKILL');
  await pending.then(
    () => {
      // The reply may have raced the kill; either way the restart below must work.
    },
    (error: { code: string; message: string }) => {
      assert.equal(error.code, 'engine-died');
      assert.match(error.message, /restart on the next request/);
    },
  );
  await waitFor(() => exits.length > 0);
  assert.match(exits[0]!, /SIGKILL/);
  const info = await client.request('info', {});
  assert.notEqual(info.pid, firstPid);
});

test('the engine announces its backend once on start', async () => {
  await waitFor(() => events.some((event) => event.event === 'backend'));
  assert.equal(invalid.length, 0, `no invalid messages expected: ${invalid.join('; ')}`);
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('TensorFlow start-up notices on the engine stderr keep their severity', async () => {
  const { stderrLevel } = await import('../../src/extension/engineProcess');
  assert.equal(stderrLevel('I0000 00:00:1795577163.118078    4534 port.cc:153] oneDNN custom operations are on.'), 'debug');
  assert.equal(stderrLevel('WARNING: All log messages before absl::InitializeLog() is called are written to STDERR'), 'debug');
  assert.equal(stderrLevel('W0000 00:00:1795577163.118078    4534 cpu_feature_guard.cc:1] slower than it could be'), 'warn');
  assert.equal(stderrLevel('E0000 00:00:1 kernel.cc:1] out of memory'), 'error');
  assert.equal(stderrLevel('(node:1) Warning: something'), 'warn');
});
