/**
 * The floor plan is enforced by the compiler: on a scratch copy of src/, an engine file importing
 * vscode, a host file importing the engine or tfjs, and a webview file importing Node each fail
 * `tsc -b`; and the host's bundle carries no tfjs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { distPath, repoRoot } from '../support/helpers';

const violations: Record<string, { code: string; expect: RegExp }> = {
  'src/engine/floorPlanViolation.ts': { code: "import * as vscode from 'vscode';\nexport const version = vscode.version;\n", expect: /src\/engine\/floorPlanViolation\.ts.*TS2306: File '.*forbiddenImport\.d\.ts' is not a module/ },
  'src/extension/floorPlanViolation.ts': { code: "import { loadBackend } from '../engine/backend';\nexport const load = loadBackend;\n", expect: /src\/extension\/floorPlanViolation\.ts.*TS6307: File '.*src\/engine\/backend\.ts' is not listed within the file list of project '.*src\/extension\/tsconfig\.json'/ },
  'src/extension/tfjsViolation.ts': { code: "import * as tf from '@tensorflow/tfjs';\nexport const ready = tf.ready;\n", expect: /src\/extension\/tfjsViolation\.ts.*TS2306/ },
  'src/webview/panel/floorPlanViolation.ts': { code: "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n", expect: /src\/webview\/panel\/floorPlanViolation\.ts.*TS2307: Cannot find module 'node:fs'/ },
  'src/webview/notebook/floorPlanViolation.ts': { code: "import { App } from '../panel/app';\nexport const app = App;\n", expect: /src\/webview\/notebook\/floorPlanViolation\.ts.*TS6307/ },
};

test('a wrong import between the trees is a compile error', { timeout: 300_000 }, async (t) => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'latent-lab-floor-plan-'));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  cpSync(path.join(repoRoot, 'src'), path.join(scratch, 'src'), { recursive: true });
  cpSync(path.join(repoRoot, 'tsconfig.base.json'), path.join(scratch, 'tsconfig.base.json'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(scratch, 'node_modules'));
  for (const [file, { code }] of Object.entries(violations)) writeFileSync(path.join(scratch, file), code);
  const output = await new Promise<string>((resolve) => {
    const projects = ['src/engine', 'src/cli', 'src/extension', 'src/webview/panel', 'src/webview/notebook'];
    execFile(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', ...projects], { cwd: scratch, maxBuffer: 16 * 1024 * 1024 }, (_error, stdout, stderr) => resolve(stdout + stderr));
  });
  for (const [file, { expect }] of Object.entries(violations)) assert.match(output, expect, `${file} must not compile:\n${output.slice(0, 3000)}`);
});

test('the extension host bundle carries no tfjs', () => {
  const bundle = readFileSync(distPath('extension.js'), 'utf8');
  for (const marker of ['@tensorflow/tfjs', 'registerKernel', 'onnxruntime']) assert.ok(!bundle.includes(marker), `dist/extension.js contains ${marker}`);
});
