/**
 * The latent map's WebGL scatter against the alternatives (issue 15: "compare with at least one
 * alternative on our data before choosing"; `vsEmbeddingAtlas`). Each contender draws the same
 * 1,000,000 points — ten anisotropic Gaussian classes, 2.5 px, coloured by class — on a page of its
 * own in the same Chromium (the suites' headless one, software WebGL and WebGPU), round after round,
 * a different one first each round. The candidate is the map's own component, `ScatterMap`, made and
 * fed as the explorer's map view does (bench/scatterPages/latentMap.ts); beside it regl-scatterplot
 * as its package ships, deck.gl, and Embedding Atlas 0.26 (WebGPU only) and 0.23 (WebGL 2 fallback).
 *   firstDrawRatioVsEmbeddingAtlas   candidate ÷ the newest Embedding Atlas that draws here, first
 *   panFrameRatioVsEmbeddingAtlas    draw and pan frame p95, at the count both drew (target ≤ 1.0)
 *   scatterFirstDrawMs1M_<name>      points handed over → the second animation frame after, the GPU
 *                                    finished (median of rounds); the frame must hold points, read
 *                                    back in the page or, for a canvas that keeps no buffer once
 *                                    shown, in a screenshot just after
 *   scatterPanFrameP95Ms1M_<name>    p95 of 60 frame-to-frame times while the camera pans and zooms
 *                                    along one path (median of rounds): through the library's camera
 *                                    API, or for the candidate through a drag and wheel on its
 *                                    canvas as a user's, so its moved frames count as a user sees
 *                                    them; where frames take seconds, of those that fit in 90 s
 *   scatterHeapMb1M_<name>           JS heap after the first draw, after a GC: V8 objects plus
 *                                    ArrayBuffer contents, the page's own points included
 *   scatterPoints_<name>             the points it drew: the largest of 1M, 200k, 100k it could
 *   scatterCspViolations_<name>      what the webview's Content Security Policy would have refused
 *                                    (served report-only, so the page still runs)
 *   scatter{FirstDraw,PanP95}Ratio_<candidate>Vs<name>   candidate ÷ that contender, same count
 * Contenders other than the candidate are installed at bench time outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { explorerCsp } from '../src/extension/panels/contentSecurityPolicy';
import { launchChromium } from '../test/support/chromium';
import { benchCache } from './cachedCheckpoint';
import type { BenchOptions, Figure } from './figures';
import { countPaintedPixels, type Drawn, MIN_PAINTED_PIXELS, type Panned } from './scatterPages/harness';

/** What one library needs to be measured: adding the latent map's own component is one more of these. */
export interface Contender {
  /** The figures' suffix, e.g. `regl` in `scatterFirstDrawMs1M_regl`. */
  name: string;
  /** Library and version, for the table. */
  label: string;
  /** Its page script, which calls `mountBench` (bench/scatterPages/harness.ts); bundled for the page. */
  entry: string;
  /** Gets what the entry imports in place; resolves to how esbuild finds it. */
  setup(): Promise<Pick<esbuild.BuildOptions, 'nodePaths' | 'alias' | 'loader'>>;
}

const pages = path.join(__dirname, 'scatterPages');

/** Bench-only libraries, pinned, installed together into a folder of the bench cache. */
interface PeerSet {
  dir: string;
  manifest: { private: true; dependencies: Record<string, string>; overrides?: Record<string, string> };
}

/**
 * embedding-atlas' component imports Mosaic at load even when given plain arrays, so Mosaic comes
 * too; its current flechette (2.7.0) depends on @uwdata/wk-geojson, which is not on the registry,
 * hence the override to 2.6.0, which does not.
 */
const embeddingAtlasPeers = (version: string) => ({
  'embedding-atlas': version,
  '@uwdata/mosaic-core': '0.32.1',
  '@uwdata/mosaic-sql': '0.32.1',
});
const mosaicOverrides = { '@uwdata/flechette': '2.6.0' };

const peers: PeerSet = {
  dir: path.join(benchCache, 'scatter-peers'),
  manifest: {
    private: true,
    dependencies: { '@deck.gl/core': '9.4.0', '@deck.gl/layers': '9.4.0', '@luma.gl/core': '9.4.0', '@luma.gl/engine': '9.4.0', ...embeddingAtlasPeers('0.26.0') },
    overrides: mosaicOverrides,
  },
};

/** Embedding Atlas 0.23.0, the last release with a WebGL 2 renderer (later ones render with WebGPU only), in a folder of its own: one folder holds one version of a package. */
const embeddingAtlas023Peers: PeerSet = {
  dir: path.join(benchCache, 'scatter-peers-ea023'),
  manifest: { private: true, dependencies: embeddingAtlasPeers('0.23.0'), overrides: mosaicOverrides },
};

const peersInstalled = new Map<string, Promise<void>>();

/** Installs a peer set once per cache folder; embedding-atlas lists peers it never imports (react, svelte, mosaic-spec, vgplot), hence --legacy-peer-deps. */
function installPeers({ dir, manifest }: PeerSet): Promise<void> {
  let installed = peersInstalled.get(dir);
  if (!installed) {
    installed = (async () => {
      const current = Object.entries(manifest.dependencies).every(([name, version]) => {
        const packageJson = path.join(dir, 'node_modules', name, 'package.json');
        return existsSync(packageJson) && (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version === version;
      });
      if (current) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      console.error(`bench: installing ${Object.keys(manifest.dependencies).join(', ')} into ${dir}`);
      execFileSync('npm', ['install', '--prefix', dir, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'inherit'] });
    })();
    peersInstalled.set(dir, installed);
  }
  return installed;
}

function fromPeers(set: PeerSet): () => Promise<Pick<esbuild.BuildOptions, 'nodePaths'>> {
  return async () => {
    await installPeers(set);
    return { nodePaths: [path.join(set.dir, 'node_modules')] };
  };
}

/** Where screenshots of the first frames go (round 1 of each contender). */
const screenshots = path.join(peers.dir, 'screenshots');

/**
 * The latent map's page is bundled as the explorer's webview is (esbuild.mjs): regl is plotly's,
 * running the precompiled draw code, and the map's stylesheet comes in as text for the page to add.
 */
const latentMap: Contender = {
  name: 'latentMap',
  label: 'Latent Lab ScatterMap (regl-scatterplot 1.16.0, moved-frame pan)',
  entry: path.join(pages, 'latentMap.ts'),
  setup: async () => ({ alias: { regl: '@plotly/regl' }, loader: { '.css': 'text', '.fs': 'js' } }),
};

const embeddingAtlas026: Contender = { name: 'embeddingAtlas', label: 'Embedding Atlas 0.26.0 EmbeddingView', entry: path.join(pages, 'embeddingAtlas.ts'), setup: fromPeers(peers) };
const embeddingAtlas023: Contender = { name: 'embeddingAtlas023', label: 'Embedding Atlas 0.23.0 EmbeddingView (WebGL 2)', entry: path.join(pages, 'embeddingAtlas.ts'), setup: fromPeers(embeddingAtlas023Peers) };

export const contenders: Contender[] = [
  latentMap,
  // regl-scatterplot as its package ships (its own regl, no moved frames): what the map is built on.
  { name: 'regl', label: 'regl-scatterplot 1.16.0', entry: path.join(pages, 'regl.ts'), setup: async () => ({}) },
  { name: 'deckgl', label: 'deck.gl 9.4.0 ScatterplotLayer', entry: path.join(pages, 'deckgl.ts'), setup: fromPeers(peers) },
  embeddingAtlas026,
  embeddingAtlas023,
];

/** The one the issue proposes: the map's own component; every ratio is it ÷ another. */
const candidate = latentMap;

/** Newest first: `vsEmbeddingAtlas` compares with the first of these that draws here. */
const embeddingAtlases = [embeddingAtlas026, embeddingAtlas023];

/** Largest first: a contender that cannot draw a count is tried at the next. */
const COUNTS = [1_000_000, 200_000, 100_000];
const PAN_FRAMES = 60;
/** Where a frame takes seconds (software rendering), the pan stops at this, with fewer frames. */
const PAN_BUDGET_MS = 90_000;
/** A page that takes longer than this for one step has hung. */
const STEP_TIMEOUT_MS = 180_000;
/** Linux keeps WebGPU behind a flag; Embedding Atlas draws with nothing else. */
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu'];

export interface Bundle {
  code: string;
  gzipBytes: number;
  /** Code that the webview's CSP refuses when it runs, found by text: a hint, the page's CSP report decides. */
  constructs: Record<string, number>;
}

const CONSTRUCTS: Record<string, RegExp> = {
  'eval(': /\beval\(/g,
  'new Function(': /\bnew Function\(/g,
  'Function.apply(': /\bFunction\.apply\(/g,
  'new Worker(': /\bnew Worker\(/g,
  'createObjectURL(': /\bcreateObjectURL\(/g,
  'WebAssembly.': /\bWebAssembly\.(?:instantiate|compile)/g,
};

/** The contender's page script, minified as it would ship. */
export async function bundleContender(contender: Contender): Promise<Bundle> {
  const result = await esbuild.build({
    entryPoints: [contender.entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    write: false,
    logLevel: 'silent',
    ...(await contender.setup()),
  });
  const code = result.outputFiles[0]!.text;
  const constructs = Object.fromEntries(Object.entries(CONSTRUCTS).map(([name, pattern]) => [name, code.match(pattern)?.length ?? 0]));
  return { code, gzipBytes: gzipSync(code).length, constructs };
}

interface Measurement {
  count: number;
  initMs: number;
  drawMs: number;
  paintedPixels: number;
  /** Where the painted pixels were counted: the canvas read back in the page, or a screenshot just after. */
  paintedIn: 'page' | 'screenshot';
  panP95Ms: number;
  panMedianMs: number;
  panFrames: number;
  redraws: number;
  /** Where the contender says: the redraws that drew every point (the rest were moved frames). */
  fullRedraws: number | undefined;
  heapBytes: number;
  backingBytes: number;
  cspViolations: string[];
}

interface Failure {
  count: number;
  reason: string;
  /** What the CSP would have refused before the failure. */
  cspViolations: string[];
}

interface Outcome {
  contender: Contender;
  bundle: Bundle;
  /** Every round's, at the one count it drew. */
  rounds: Measurement[];
  /** The counts it could not draw, largest first. */
  failures: Failure[];
}

export async function benchScatterComparison(options: BenchOptions): Promise<Figure[]> {
  const bundles = new Map<Contender, Bundle>();
  for (const contender of contenders) bundles.set(contender, await bundleContender(contender));
  const rounds = options.quick ? 1 : 3;
  const panBudgetMs = options.quick ? 20_000 : PAN_BUDGET_MS;
  const browser = await launchChromium({ args: WEBGPU_FLAGS });
  try {
    const outcomes = contenders.map((contender): Outcome => ({ contender, bundle: bundles.get(contender)!, rounds: [], failures: [] }));
    for (let round = 0; round < rounds; round++) {
      // A different contender goes first each round, so no one always meets a cold or a warm browser.
      for (let k = 0; k < outcomes.length; k++) {
        const outcome = outcomes[(round + k) % outcomes.length]!;
        const counts = outcome.rounds.length > 0 ? [outcome.rounds[0]!.count] : round === 0 ? COUNTS : [];
        for (const count of counts) {
          const result = await measure(browser, outcome.contender, outcome.bundle, count, round === 0, panBudgetMs);
          if ('reason' in result) {
            outcome.failures.push(result);
            console.error(`bench: ${outcome.contender.label} could not draw ${count.toLocaleString('en')} points: ${result.reason}`);
            continue;
          }
          outcome.rounds.push(result);
          console.error(`bench: ${outcome.contender.label}, round ${round + 1}: ${describeRound(result)}`);
          break;
        }
      }
    }
    // A contender that drew fewer points is compared with the candidate at that count.
    const candidateOutcome = outcomes[0]!;
    const candidateAt = new Map<number, Measurement[]>([[candidateOutcome.rounds[0]?.count ?? 0, candidateOutcome.rounds]]);
    for (const outcome of outcomes.slice(1)) {
      const count = outcome.rounds[0]?.count;
      if (count === undefined || candidateAt.has(count)) continue;
      const extra: Measurement[] = [];
      for (let round = 0; round < rounds; round++) {
        const result = await measure(browser, candidate, candidateOutcome.bundle, count, false, panBudgetMs);
        if (!('reason' in result)) extra.push(result);
      }
      candidateAt.set(count, extra);
    }
    const candidateRoundsFor = (outcome: Outcome) => candidateAt.get(outcome.rounds[0]?.count ?? -1) ?? [];
    return [
      ...vsEmbeddingAtlasFigures(outcomes, candidateRoundsFor),
      ...outcomes.flatMap(contenderFigures),
      ...outcomes.slice(1).flatMap((outcome) => ratioFigures(outcome, candidateRoundsFor(outcome))),
    ];
  } finally {
    await browser.close();
  }
}

const ORIGIN = 'https://scatter.bench';

/** One contender on a fresh page: the figures, or why it drew nothing. */
async function measure(browser: Browser, contender: Contender, bundle: Bundle, count: number, keepScreenshot: boolean, panBudgetMs: number): Promise<Measurement | Failure> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await servePage(page, bundle);
    const prepared = await step(page.evaluate((count) => window.scatterBench!.prepare(count), count));
    const cdp = await context.newCDPSession(page);
    const drawn = await step<Drawn>(page.evaluate(() => window.scatterBench!.draw()));
    const painted = drawn.paintedPixels >= MIN_PAINTED_PIXELS ? { pixels: drawn.paintedPixels, in: 'page' as const } : { pixels: await screenshotPaintedPixels(page, drawn.canvasBox), in: 'screenshot' as const };
    if (painted.pixels < MIN_PAINTED_PIXELS) throw new Error(`the first frame is blank (${drawn.paintedPixels} painted pixels read back in the page, ${painted.pixels} in a screenshot)`);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    if (keepScreenshot) await page.locator('#host').screenshot({ path: path.join(screenshots, `${contender.name}-${count}.png`) });
    const panned = await step<Panned>(page.evaluate(({ frames, budgetMs }) => window.scatterBench!.pan(frames, budgetMs), { frames: PAN_FRAMES, budgetMs: panBudgetMs }));
    const cspViolations = await cspReport(page);
    return {
      count,
      initMs: prepared.initMs,
      drawMs: drawn.drawMs,
      paintedPixels: painted.pixels,
      paintedIn: painted.in,
      panP95Ms: percentile(panned.frameMs, 0.95),
      panMedianMs: percentile(panned.frameMs, 0.5),
      panFrames: panned.frameMs.length,
      redraws: panned.redraws,
      fullRedraws: panned.fullRedraws,
      heapBytes: heap.usedSize,
      backingBytes: heap.backingStorageSize,
      cspViolations,
    };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/^page\.evaluate: (Error: )?/, '').split('\n')[0]!;
    const logged = [...new Set(errors)].filter((line) => !message.includes(line));
    return { count, reason: logged.length > 0 ? `${message} (console: ${logged.join(' | ')})` : message, cspViolations: await cspReport(page).catch(() => []) };
  } finally {
    await context.close();
  }
}

declare global {
  interface Window {
    cspViolations?: string[];
  }
}

async function screenshotPaintedPixels(page: Page, clip: Drawn['canvasBox']): Promise<number> {
  const png = PNG.sync.read(await page.screenshot({ clip }));
  // A copy, since a Buffer's offset need not suit a Uint32Array.
  return countPaintedPixels(new Uint32Array(Uint8Array.from(png.data).buffer));
}

function cspReport(page: Page): Promise<string[]> {
  return page.evaluate(() => window.cspViolations ?? []);
}

/**
 * Serves the bundle on an https origin (WebGPU needs a secure context) under the webview's CSP,
 * report-only: the page runs whatever the policy would refuse, and records each refusal.
 */
async function servePage(page: Page, bundle: Bundle): Promise<void> {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>html, body { margin: 0; background: #fff; } #host { width: 800px; height: 600px; position: relative; }</style></head>
<body><div id="host"></div><script type="module" nonce="${nonce}" src="${ORIGIN}/page.js"></script></body></html>`;
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: html, headers: { 'Content-Security-Policy-Report-Only': explorerCsp(ORIGIN, nonce) } });
    if (url.pathname === '/page.js') return route.fulfill({ contentType: 'text/javascript', body: bundle.code });
    return route.fulfill({ status: 404, body: '' });
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    window.cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      const entry = `${event.effectiveDirective} ${event.blockedURI || 'inline'}`;
      if (!seen.includes(entry)) seen.push(entry);
    });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => window.scatterBench !== undefined, undefined, { timeout: 60_000 });
}

function step<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the page within ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function describeRound(m: Measurement): string {
  return `${m.count.toLocaleString('en')} points, init ${round(m.initMs)} ms, first draw ${round(m.drawMs)} ms (${m.paintedPixels.toLocaleString('en')} px painted, counted in the ${m.paintedIn}), pan p95 ${round(m.panP95Ms)} ms (median ${round(m.panMedianMs)}, ${m.panFrames} frames, ${m.redraws} redraws${m.fullRedraws === undefined ? '' : `, ${m.fullRedraws} of them full`}), heap ${mb(m.heapBytes + m.backingBytes)} MB, CSP: ${m.cspViolations.join(', ') || 'nothing refused'}`;
}

function contenderFigures({ contender, bundle, rounds, failures }: Outcome): Figure[] {
  const suffix = contender.name;
  const count = rounds[0]?.count ?? 0;
  const drew = rounds.length > 0;
  const why = failures.length > 0 ? `; could not draw ${describeFailures(failures)}` : '';
  const nothing = `drew nothing${why}`;
  const spread = (values: number[]) => `median ${round(median(values))} (${round(Math.min(...values))}–${round(Math.max(...values))})`;
  const heaps = rounds.map((m) => mb(m.heapBytes + m.backingBytes));
  const violations = [...new Set([...rounds, ...failures].flatMap((m) => m.cspViolations))];
  const constructs = Object.entries(bundle.constructs).filter(([, n]) => n > 0).map(([name, n]) => `${name} ×${n}`);
  const bundleText = `bundle ${Math.round(bundle.code.length / 1024)} kB min, ${Math.round(bundle.gzipBytes / 1024)} kB gzip${constructs.length > 0 ? `, its text has ${constructs.join(', ')}` : ''}`;
  const perRound = (pick: (m: Measurement) => number) => rounds.map(pick).join(', ');
  return [
    {
      field: `scatterPoints_${suffix}`,
      value: count,
      ours: `${contender.label}: ${drew ? `${count.toLocaleString('en')} points in ${rounds.length} rounds` : 'none'}${why}`,
      reference: `${COUNTS[0]!.toLocaleString('en')} asked`,
      target: `= ${COUNTS[0]!.toLocaleString('en')}`,
      met: count === COUNTS[0],
    },
    {
      field: `scatterFirstDrawMs1M_${suffix}`,
      value: drew ? round(median(rounds.map((m) => m.drawMs))) : Number.NaN,
      ours: `${contender.label}: ${drew ? `${spread(rounds.map((m) => m.drawMs))} ms at ${count.toLocaleString('en')} points; creating the view before them ${spread(rounds.map((m) => m.initMs))} ms` : nothing}`,
      reference: '—',
      target: 'drawn',
      met: drew,
    },
    {
      field: `scatterPanFrameP95Ms1M_${suffix}`,
      value: drew ? round(median(rounds.map((m) => m.panP95Ms))) : Number.NaN,
      ours: `${contender.label}: ${drew ? `p95 ${spread(rounds.map((m) => m.panP95Ms))} ms, frame ${spread(rounds.map((m) => m.panMedianMs))} ms; frames measured ${perRound((m) => m.panFrames)}, library redraws ${perRound((m) => m.redraws)}${rounds.some((m) => m.fullRedraws !== undefined) ? `, of them full ${perRound((m) => m.fullRedraws ?? Number.NaN)}` : ''} (warm-up moves included)` : nothing}`,
      reference: '16.7 ms (60 Hz)',
      target: 'drawn',
      met: drew,
    },
    {
      field: `scatterHeapMb1M_${suffix}`,
      value: drew ? round(median(heaps)) : Number.NaN,
      ours: `${contender.label}: ${drew ? `${spread(heaps)} MB after GC (V8 ${mb(median(rounds.map((m) => m.heapBytes)))} + ArrayBuffers ${mb(median(rounds.map((m) => m.backingBytes)))}), the page's own points (${mb(count * 9)} MB) included` : nothing}`,
      reference: '—',
      target: 'drawn',
      met: drew,
    },
    {
      field: `scatterCspViolations_${suffix}`,
      value: violations.length,
      ours: `${contender.label}: ${violations.length > 0 ? violations.join(', ') : 'none'}${drew ? '' : ' (until it failed)'}; ${bundleText}`,
      reference: "the webview's CSP: no 'unsafe-eval', no blob: workers, no wasm",
      target: '= 0',
      met: drew && violations.length === 0,
    },
  ];
}

/** Counts that failed alike are named together: `1,000,000, 200,000, 100,000: reason`. */
function describeFailures(failures: Failure[]): string {
  const byReason = new Map<string, number[]>();
  for (const failure of failures) byReason.set(failure.reason, [...(byReason.get(failure.reason) ?? []), failure.count]);
  return [...byReason].map(([reason, counts]) => `${counts.map((count) => count.toLocaleString('en')).join(', ')}: ${reason}`).join('; ');
}

function ratioFigures(other: Outcome, candidateRounds: Measurement[]): Figure[] {
  const name = other.contender.name;
  const count = other.rounds[0]?.count;
  const comparable = count !== undefined && candidateRounds.length > 0;
  const ratio = (pick: (m: Measurement) => number) => (comparable ? Math.round((median(candidateRounds.map(pick)) / median(other.rounds.map(pick))) * 1000) / 1000 : Number.NaN);
  const describe = (pick: (m: Measurement) => number, unit: string) =>
    comparable
      ? `${candidate.label} ${round(median(candidateRounds.map(pick)))} ${unit} ÷ ${other.contender.label} ${round(median(other.rounds.map(pick)))} ${unit}, ${count.toLocaleString('en')} points`
      : `${other.contender.label} drew nothing to compare with`;
  const firstDraw = ratio((m) => m.drawMs);
  const pan = ratio((m) => m.panP95Ms);
  const prefix = candidate.name;
  const suffix = `${prefix}Vs${name[0]!.toUpperCase()}${name.slice(1)}`;
  return [
    { field: `scatterFirstDrawRatio_${suffix}`, value: firstDraw, ours: describe((m) => m.drawMs, 'ms'), reference: other.contender.label, target: '≤ 1', met: firstDraw <= 1 },
    { field: `scatterPanP95Ratio_${suffix}`, value: pan, ours: describe((m) => m.panP95Ms, 'ms p95'), reference: other.contender.label, target: '≤ 1', met: pan <= 1 },
  ];
}

/**
 * Issue 15's `vsEmbeddingAtlas`: the candidate ÷ the newest Embedding Atlas that draws in this
 * Chromium, first draw and pan frame p95 (medians of rounds) at the count both drew; the newer ones
 * that could not are named with why.
 */
function vsEmbeddingAtlasFigures(outcomes: Outcome[], candidateRoundsFor: (outcome: Outcome) => Measurement[]): Figure[] {
  const tried = embeddingAtlases.flatMap((contender) => outcomes.find((outcome) => outcome.contender === contender) ?? []);
  const drew = tried.find((outcome) => outcome.rounds.length > 0);
  const skipped = tried.slice(0, drew ? tried.indexOf(drew) : tried.length).map((outcome) => `${outcome.contender.label} could not draw (${describeFailures(outcome.failures)})`);
  const ours = drew ? candidateRoundsFor(drew) : [];
  const figure = (field: string, pick: (m: Measurement) => number, what: string): Figure => {
    if (!drew || ours.length === 0) {
      return { field, value: Number.NaN, ours: `nothing to compare: ${[...skipped, drew ? `${candidate.label} drew nothing at ${drew.rounds[0]!.count.toLocaleString('en')} points` : 'no Embedding Atlas drew'].join('; ')}`, reference: 'Embedding Atlas', target: '≤ 1.0', met: false };
    }
    const mine = ours.map(pick);
    const theirs = drew.rounds.map(pick);
    const value = Math.round((median(mine) / median(theirs)) * 1000) / 1000;
    const spread = (values: number[]) => `${round(median(values))} ms (rounds ${values.map(round).join(', ')})`;
    return {
      field,
      value,
      ours: `${what} at ${drew.rounds[0]!.count.toLocaleString('en')} points: ${candidate.label} ${spread(mine)} ÷ ${drew.contender.label} ${spread(theirs)}${skipped.length > 0 ? `; the newest that draws here, as ${skipped.join('; ')}` : ''}`,
      reference: drew.contender.label,
      target: '≤ 1.0',
      met: value <= 1,
    };
  };
  return [figure('firstDrawRatioVsEmbeddingAtlas', (m) => m.drawMs, 'first draw'), figure('panFrameRatioVsEmbeddingAtlas', (m) => m.panP95Ms, 'pan frame p95')];
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function mb(bytes: number): number {
  return Math.round(bytes / 1e5) / 10;
}
