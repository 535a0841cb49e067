/**
 * A page standing in for VS Code's notebook output webview: it imports dist/renderer.js as an ES
 * module and activates it as VS Code does, then hands it output items shaped like VS Code's (id,
 * mime, metadata, text(), json(), data(), blob()), each in an element of its own.
 */
import type { Page } from 'playwright-core';
import { darkTheme, type PageSource } from './server';

/** What the page exposes to the test. */
interface NotebookWindow {
  renderOutput(id: string, mime: string, text: string): Promise<void>;
  disposeOutput(id?: string): void;
  cspViolations: string[];
  rendererReady?: boolean;
}

/** No 'unsafe-eval': the renderer's map runs regl's precompiled draw code, like the panel's. */
function notebookCsp(origin: string, nonce: string): string {
  return ["default-src 'none'", `script-src 'nonce-${nonce}' ${origin}`, "style-src 'unsafe-inline'", 'img-src data: blob:'].join('; ');
}

export function notebookOutputPage(origin: string): PageSource {
  return (nonce) => `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${notebookCsp(origin, nonce)}">
<link rel="icon" href="data:,">
<style>${darkTheme}
body { margin: 0; padding: 16px; background: var(--vscode-editor-background); }
.cell-output { width: 960px; margin-bottom: 24px; }
</style>
<script nonce="${nonce}">
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));
</script>
<script type="module" nonce="${nonce}">
import { activate } from '${origin}/dist/renderer.js';
const renderer = activate({ workspace: { isTrusted: true }, setState() {}, getState() {} });
window.renderOutput = (id, mime, text) => {
  const element = document.createElement('div');
  element.className = 'cell-output';
  element.dataset.outputId = id;
  document.getElementById('outputs').append(element);
  const bytes = new TextEncoder().encode(text);
  const item = { id, mime, metadata: {}, text: () => text, json: () => JSON.parse(text), data: () => bytes, blob: () => new Blob([bytes], { type: mime }) };
  return renderer.renderOutputItem(item, element);
};
window.disposeOutput = (id) => renderer.disposeOutputItem(id);
window.rendererReady = true;
</script>
</head>
<body class="vscode-dark">
<main id="outputs"></main>
</body>
</html>`;
}

export async function openNotebookOutputs(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as NotebookWindow).rendererReady === true);
}

/** Renders one output item; resolves when the renderer's renderOutputItem has. */
export function renderOutput(page: Page, id: string, mime: string, text: string): Promise<void> {
  return page.evaluate(({ id, mime, text }) => (window as unknown as NotebookWindow).renderOutput(id, mime, text), { id, mime, text });
}

export function disposeOutput(page: Page, id?: string): Promise<void> {
  return page.evaluate((id) => (window as unknown as NotebookWindow).disposeOutput(id), id);
}

export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as NotebookWindow).cspViolations);
}

/** The CSS selector of output `id`'s element. */
export function outputSelector(id: string): string {
  return `.cell-output[data-output-id="${id}"]`;
}
