/** Debian's Chromium as every browser suite launches it: headless, offline, software WebGL. */
import { accessSync, constants } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where the browser suites find Chromium: CHROMIUM_PATH, else Debian's. */
function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export interface LaunchOptions {
  executablePath?: string;
  /** Flags beside the suites' own (a bench turning on WebGPU for a library that draws with it). */
  args?: string[];
}

/**
 * Fails at once, in one line naming the path and the command that installs it, when there is no
 * browser there — rather than leaving a suite's setup to time out.
 */
export function launchChromium({ executablePath = chromiumPath(), args = [] }: LaunchOptions = {}): Promise<Browser> {
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    const chosen = process.env.CHROMIUM_PATH === executablePath ? ' (CHROMIUM_PATH)' : '';
    return Promise.reject(new Error(`no Chromium at ${executablePath}${chosen}: run 'bash scripts/provision-chromium.sh' (installs Debian's chromium), or point CHROMIUM_PATH at one`));
  }
  return chromium.launch({
    executablePath,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      // This machine's network is closed: background fetches would only fail, many at a time.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // The latent map needs WebGL, which without a GPU only SwiftShader provides. Headless Chromium 156
      // still falls back to it by itself; the flags keep that working as Chromium retires the fallback.
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      ...args,
    ],
  });
}
