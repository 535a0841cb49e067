/// <reference types="mocha" />
/** The extension inside a real VS Code (Electron), driven through its commands and API. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LatentLabApi } from '../../src/extension/extension';

const extensionId = 'latent-lab.latent-lab';
const commands = ['latentLab.newExperiment', 'latentLab.openCheckpoint', 'latentLab.openModel', 'latentLab.exploreLatents', 'latentLab.compareRuns', 'latentLab.stopTraining', 'latentLab.showEngineInfo'];

async function api(): Promise<LatentLabApi> {
  const extension = vscode.extensions.getExtension<LatentLabApi>(extensionId);
  assert.ok(extension, `${extensionId} is installed`);
  return extension.activate();
}

suite('Latent Lab in VS Code', () => {
  test('activates and registers its commands', async () => {
    await api();
    const registered = await vscode.commands.getCommands(true);
    for (const command of commands) assert.ok(registered.includes(command), `${command} is registered`);
  });

  test('Show Engine Info reaches the engine process and reports its backend', async () => {
    const info = (await vscode.commands.executeCommand('latentLab.showEngineInfo')) as { backend: string; pid: number } | undefined;
    assert.ok(info, 'the engine answered');
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.backend));
    assert.notEqual(info.pid, process.pid, 'tensor work runs outside the extension host');
  });

  test('a tiny training run through the API writes a checkpoint, and the explorer opens on it', async () => {
    const latentLab = await api();
    const out = path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, 'latent-lab-runs', 'integration-vae');
    const result = await latentLab.train({ model: 'vae', data: 'sample', limit: 300, epochs: 1, latentDim: 2, out, config: { encoder: 'dense', hidden: [16] } });
    assert.equal(result.status, 'completed');
    assert.equal(result.checkpoint, out);
    await vscode.commands.executeCommand('latentLab.openCheckpoint', vscode.Uri.file(out));
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs);
    assert.ok(tabs.some((tab) => tab.input instanceof vscode.TabInputWebview && tab.label.includes('integration-vae')), 'an explorer panel is open');
  });
});
