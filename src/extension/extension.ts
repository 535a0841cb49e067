/** Activation stays light: nothing starts the engine until a command needs it. */
import * as vscode from 'vscode';
import { messageOf } from '../shared/protocol';
import { EngineHost } from './engineHost';

export function activate(context: vscode.ExtensionContext): void {
  const engine = new EngineHost(context.extensionPath);
  context.subscriptions.push(
    engine,
    vscode.commands.registerCommand('latentLab.showEngineInfo', async () => {
      try {
        const info = await engine.request('info', {});
        engine.showBackend(info);
        const backend = info.native ? `${info.backend} (native)` : `${info.backend} (fallback: ${info.fallbackReason ?? 'native backend unavailable'})`;
        void vscode.window.showInformationMessage(`Latent Lab engine: backend ${backend} · tfjs ${info.tfjsVersion} · Node ${info.node} · pid ${info.pid}`);
        return info;
      } catch (error) {
        void vscode.window.showErrorMessage(`Latent Lab: could not reach the engine: ${messageOf(error)}`);
        return undefined;
      }
    }),
  );
}

export function deactivate(): void {
  // Disposing the subscriptions (EngineHost among them) kills the engine process.
}
