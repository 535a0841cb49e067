/**
 * Driving the code-server workbench from Playwright: Debian's Chromium, the command palette, quick
 * picks and input boxes, notifications, and the webview frames (nested iframes) of Latent Lab.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ConsoleMessage, Frame, Page } from 'playwright-core';
import { repoRoot } from './codeServer';

export const artifactDir = path.join(repoRoot, 'test-artifacts', 'e2e');


export interface ConsoleEntry {
  type: string;
  text: string;
  url: string;
  frame: string;
}

/** Every console message and uncaught error of the workbench page and its frames (webviews included). */
export class ConsoleLog {
  readonly entries: ConsoleEntry[] = [];

  constructor(page: Page) {
    page.on('console', (message: ConsoleMessage) => {
      this.entries.push({ type: message.type(), text: message.text(), url: message.location().url, frame: safeFrameUrl(message) });
    });
    page.on('pageerror', (error) => this.entries.push({ type: 'pageerror', text: `${error.name}: ${error.message}\n${error.stack ?? ''}`, url: '', frame: page.url() }));
  }

  errors(): ConsoleEntry[] {
    return this.entries.filter((entry) => entry.type === 'error' || entry.type === 'pageerror');
  }

  save(file: string): void {
    writeFileSync(file, this.entries.map((entry) => `[${entry.type}] ${entry.text}${entry.url ? `  (${entry.url})` : ''}`).join('\n') + '\n');
  }
}

function safeFrameUrl(message: ConsoleMessage): string {
  try {
    return message.page()?.url() ?? '';
  } catch {
    return '';
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactDir, { recursive: true });
  const file = path.join(artifactDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Waits until the workbench is interactive: its parts are laid out and the status bar is up. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.activitybar, .monaco-workbench .part.sidebar').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

const quickInput = '.quick-input-widget';

/** F1, the command's title, Enter — as a user runs a command. */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator(`${quickInput} .quick-input-box input`);
  const row = page
    .locator(`${quickInput} .monaco-list-row`)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) })
    .first();
  for (;;) {
    await openPalette(page);
    await input.fill(`>${title}`);
    // An open palette does not pick up commands registered after it opened (the remote extension
    // host registers the extension's contributions a few seconds after the workbench is up), so
    // close it and try again until the command is listed.
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      break;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`the command palette does not list "${title}" after ${timeoutMs / 1000} s`, { cause: error });
      await page.waitForTimeout(1_000);
    }
  }
  await row.click();
  await page.locator(quickInput).waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
}

async function openPalette(page: Page): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press('F1');
    try {
      await page.locator(`${quickInput} .quick-input-box input`).waitFor({ state: 'visible', timeout: 3_000 });
      return;
    } catch {
      // Focus may be in a webview (its own document swallows F1): give it back to the workbench.
      await page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 5, y: 5 } });
    }
  }
  throw new Error('the command palette did not open on F1');
}

/** Waits for a quick pick titled `title` and picks the row whose label is `label`. */
export async function pickQuickPickItem(page: Page, title: string, label: string): Promise<void> {
  await page.locator(`${quickInput} .quick-input-title`, { hasText: title }).waitFor({ state: 'visible', timeout: 15_000 });
  const row = page
    .locator(`${quickInput} .monaco-list-row`)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
}

/** Waits for an input box titled `title`, replaces its value and accepts it. */
export async function answerInputBox(page: Page, title: string, value: string): Promise<void> {
  await page.locator(`${quickInput} .quick-input-title`, { hasText: title }).waitFor({ state: 'visible', timeout: 15_000 });
  const input = page.locator(`${quickInput} .quick-input-box input`);
  await input.fill(value);
  await input.press('Enter');
}

/** The text of the first notification toast (or notification centre entry) that matches. */
export async function waitForNotification(page: Page, text: RegExp, timeoutMs: number): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message', { hasText: text }).first();
  await toast.waitFor({ state: 'attached', timeout: timeoutMs });
  return (await toast.textContent()) ?? '';
}

/** Every notification message currently in the toasts. */
export async function notificationTexts(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message').allTextContents();
}

export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
}

/**
 * The Latent Lab webview's document. A webview is an outer iframe (VS Code's host page) with the
 * extension's page in an inner one; this finds the inner frame that holds the panel's `#app` and
 * whose header matches, and returns it.
 */
export async function findLatentLabFrame(page: Page, options: { header?: RegExp; timeoutMs: number }): Promise<Frame> {
  const deadline = Date.now() + options.timeoutMs;
  let seen = '';
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || frame.isDetached()) continue;
      const header = await frame
        .evaluate(() => {
          const app = document.querySelector('#app');
          const heading = app?.querySelector('header.header');
          return app ? (heading?.textContent ?? '') : null;
        })
        .catch(() => null);
      if (header === null) continue;
      seen = header;
      if (!options.header || options.header.test(header)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no Latent Lab webview frame${options.header ? ` with a header matching ${options.header}` : ''} (last header seen: ${JSON.stringify(seen)}; frames: ${page.frames().map((frame) => frame.url().slice(0, 120)).join(', ')})`);
    await page.waitForTimeout(250);
  }
}

/** The first frame (webviews and notebook outputs nest theirs) that holds `selector`. */
export async function findFrame(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no frame holds ${selector} after ${timeoutMs / 1000} s (frames: ${page.frames().map((frame) => frame.url().slice(0, 120)).join(', ')})`);
    await page.waitForTimeout(250);
  }
}

/** F1, the file's name (no `>`: the palette then searches files), Enter — as a user opens a workspace file. */
export async function openFile(page: Page, name: string): Promise<void> {
  await openPalette(page);
  await page.locator(`${quickInput} .quick-input-box input`).fill(name);
  await page.locator(`${quickInput} .monaco-list-row`, { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
