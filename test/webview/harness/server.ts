/**
 * A static server for the harness: the built bundles from dist/ and one page per panel, served with
 * the same Content-Security-Policy the extension's panel sets (a fresh nonce per load), plus pages a
 * test writes itself (the notebook renderer's output page).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { explorerCsp } from '../../../src/extension/panels/contentSecurityPolicy';
import { explorerDocument } from '../../../src/extension/panels/explorerDocument';

const root = path.resolve(__dirname, '../../..');
const assets: Record<string, { file: string; type: string }> = {
  '/dist/webview.js': { file: 'dist/webview.js', type: 'text/javascript' },
  '/dist/webview.css': { file: 'dist/webview.css', type: 'text/css' },
  '/dist/renderer.js': { file: 'dist/renderer.js', type: 'text/javascript' },
};

/** What a panel page embeds: the state a reload restores (as VS Code keeps it for a webview). */
export type PanelState = () => unknown;

/** A test's own page, given the nonce of this load. */
export type PageSource = (nonce: string) => string;

export class HarnessServer {
  private readonly pages = new Map<string, PageSource>();
  private bridge = '';
  private server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    this.bridge = await readFile(path.join(__dirname, 'bridge.js'), 'utf8');
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', this.origin);
      const asset = assets[url.pathname];
      const page = url.pathname.startsWith('/page/') ? this.pages.get(url.pathname.slice('/page/'.length)) : undefined;
      if (asset) {
        readFile(path.join(root, asset.file)).then(
          (body) => response.writeHead(200, { 'content-type': asset.type }).end(body),
          () => response.writeHead(404).end(),
        );
      } else if (page) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(randomBytes(16).toString('base64')));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A panel: the extension's explorer page, with the harness's theme, the state it restores and the bridge. */
  register(id: string, state: PanelState): string {
    return this.registerPage(id, (nonce) =>
      explorerDocument({
        csp: explorerCsp(this.origin, nonce),
        nonce,
        asset: (file) => `${this.origin}/dist/${file}`,
        bodyClass: 'vscode-dark',
        head: `<link rel="icon" href="data:,">
<style>${darkTheme}</style>
<script type="application/json" id="harness-state">${JSON.stringify(state() ?? null).replace(/</g, '\\u003c')}</script>
<script nonce="${nonce}">${this.bridge}</script>`,
      }),
    );
  }

  registerPage(id: string, source: PageSource): string {
    this.pages.set(id, source);
    return `${this.origin}/page/${id}`;
  }

  /** Also after a failed or skipped start, so a suite's `after` can always call it. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The theme variables VS Code injects into every webview (Dark Modern's values). */
export const darkTheme = `:root {
  --vscode-font-family: system-ui, "Ubuntu", "Droid Sans", sans-serif;
  --vscode-font-size: 13px;
  --vscode-editor-font-family: "Droid Sans Mono", monospace;
  --vscode-foreground: #cccccc;
  --vscode-descriptionForeground: #9d9d9d;
  --vscode-errorForeground: #f85149;
  --vscode-focusBorder: #0078d4;
  --vscode-editor-background: #1f1f1f;
  --vscode-panel-border: #2b2b2b;
  --vscode-editorWidget-background: #202020;
  --vscode-editorWidget-border: #454545;
  --vscode-editorHoverWidget-background: #202020;
  --vscode-editorHoverWidget-border: #454545;
  --vscode-button-background: #0078d4;
  --vscode-button-foreground: #ffffff;
  --vscode-button-secondaryBackground: #313131;
  --vscode-button-secondaryForeground: #cccccc;
  --vscode-badge-background: #616161;
  --vscode-badge-foreground: #f8f8f8;
  --vscode-list-hoverBackground: #2a2d2e;
  --vscode-input-background: #313131;
  --vscode-input-foreground: #cccccc;
  --vscode-input-border: #3c3c3c;
  --vscode-dropdown-background: #313131;
  --vscode-dropdown-border: #3c3c3c;
  --vscode-panelTitle-activeBorder: #0078d4;
  --vscode-panelTitle-activeForeground: #cccccc;
  --vscode-panelTitle-inactiveForeground: #9d9d9d;
  --vscode-progressBar-background: #0078d4;
}`;
