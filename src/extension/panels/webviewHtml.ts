/** The explorer page in a VS Code webview: a per-load nonce, assets from the extension's dist/. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { explorerCsp } from './contentSecurityPolicy';
import { explorerDocument } from './explorerDocument';

export function explorerHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', file)).toString();
  return explorerDocument({ csp: explorerCsp(webview.cspSource, nonce), nonce, asset });
}
