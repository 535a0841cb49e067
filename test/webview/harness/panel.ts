/**
 * One webview panel under test: Debian's Chromium (headless, software WebGL) showing the built
 * bundle from the harness server, with a FakeHost answering as the extension host would.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { createHandlers } from '../../../src/engine/handlers';
import type { PanelTarget } from '../../../src/shared/webviewProtocol';
import { FakeHost } from './fakeHost';
import type { HarnessServer } from './server';

export const artifactDir = path.resolve(__dirname, '../../../test-artifacts/webview');


export interface Panel {
  page: Page;
  host: FakeHost;
  /** Console errors the page logged (the bundle's own reports included). */
  consoleErrors: string[];
  pageErrors: string[];
  /** Closes the page, then the host's side as VS Code does: the sessions the page left open close too. */
  close(): Promise<void>;
}

export async function openPanel(browser: Browser, server: HarnessServer, handlers: ReturnType<typeof createHandlers>, target: PanelTarget): Promise<Panel> {
  const host = new FakeHost(target, handlers);
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await host.attach(page);
  await page.goto(server.register(randomUUID(), () => host.state));
  const close = async () => {
    await context.close();
    host.close();
  };
  return { page, host, consoleErrors, pageErrors, close };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactDir, `${name}.png`) });
}

/** Every panel ends clean: no CSP violation, no uncaught error, only the console errors a test expects. */
export async function closeClean(panel: Panel, expectedConsoleErrors = 0): Promise<void> {
  await panel.close();
  assert.deepEqual(panel.host.cspViolations, [], 'CSP violations');
  assert.deepEqual(panel.pageErrors, [], 'uncaught page errors');
  assert.equal(panel.consoleErrors.length, expectedConsoleErrors, `console errors: ${panel.consoleErrors.join(' | ')}`);
}
