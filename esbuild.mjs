// Bundles the six entry points. @tensorflow/tfjs and its wasm backend are bundled, and so is the
// JavaScript of @tensorflow/tfjs-node (on the same tfjs), so dist/ runs without node_modules; only
// tfjs-node's binding is loaded from a file, found by src/engine/native/libtensorflow.ts (the platform
// package carries it in dist/native/, scripts/package.ts). onnxruntime-node stays external (a native
// addon required only when an ONNX model is opened). The wasm binaries are copied beside the bundles.
// `--outdir DIR` builds elsewhere than dist/ (packaging builds beside the tree, not over it).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const outdirFlag = process.argv.indexOf('--outdir');
const outdir = outdirFlag < 0 ? 'dist' : process.argv[outdirFlag + 1];
if (!outdir) throw new Error('esbuild.mjs: --outdir needs a folder');

// tfjs-node is an optional dependency: where npm left it out, the engine finds no binding and says so.
const tfjsNodeInstalled = existsSync('node_modules/@tensorflow/tfjs-node/package.json');
const nodeExternals = ['vscode', 'onnxruntime-node', ...(tfjsNodeInstalled ? [] : ['@tensorflow/tfjs-node'])];
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';

/** tfjs-node asks @mapbox/node-pre-gyp only where its binding is; src/engine/native/nodePreGyp.ts answers. */
const bindingFinder = {
  name: 'tfjs-node-binding-finder',
  setup(build) {
    build.onResolve({ filter: /^@mapbox\/node-pre-gyp$/ }, () => ({ path: fileURLToPath(new URL('src/engine/native/nodePreGyp.ts', import.meta.url)) }));
  },
};

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

/**
 * The latent map's regl (through regl-scatterplot) is plotly's flavour, which runs draw code
 * precompiled by scripts/regl-codegen.ts, so nothing needs `new Function` under the webview's CSP.
 */
const precompiledRegl = { regl: '@plotly/regl' };

/** regl-scatterplot's shader sources are JavaScript modules named `.fs` (the map's first frame imports one). */
const reglScatterplotSources = { '.fs': 'js' };

const builds = [
  { ...common, entryPoints: { extension: 'src/extension/extension.ts' }, platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals, outdir },
  // The UMAP layout thread is a file of its own that the engine (and the CLI) start beside them.
  { ...common, entryPoints: { engine: 'src/engine/engineProcess.ts', umapWorker: 'src/engine/projection/umap/umapWorker.ts' }, platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals, outdir, plugins: [bindingFinder] },
  { ...common, entryPoints: { cli: 'src/cli/main.ts' }, platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals, outdir, plugins: [bindingFinder], banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: { webview: 'src/webview/panel/main.ts' }, platform: 'browser', format: 'iife', target: 'chrome120', outdir, ...plotlySourceOptions(), alias: precompiledRegl, loader: reglScatterplotSources },
  // The notebook renderer: VS Code imports it as an ES module into the notebook's output webview,
  // which loads no stylesheet for it, so its CSS comes in as text that it injects itself.
  { ...common, entryPoints: { renderer: 'src/webview/notebook/index.ts' }, platform: 'browser', format: 'esm', target: 'chrome120', outdir, alias: precompiledRegl, loader: { ...reglScatterplotSources, '.css': 'text' } },
];

/**
 * What plotly.js's own build gives its source, for the partial bundle the webview imports: a
 * `global` and stand-ins for two imports the traces we bundle never
 * use — Node's `buffer` (typedarray-pool only asks `Buffer.isBuffer`, always false in a browser)
 * and maplibre's stylesheet (registered only with map traces).
 */
function plotlySourceOptions() {
  const stubs = {
    name: 'plotly-source-stubs',
    setup(build) {
      build.onResolve({ filter: /^buffer$/ }, () => ({ path: 'buffer', namespace: 'stub' }));
      build.onResolve({ filter: /^maplibre-gl\/dist\/maplibre-gl\.css$/ }, () => ({ path: 'maplibre-css', namespace: 'stub' }));
      build.onLoad({ filter: /^buffer$/, namespace: 'stub' }, () => ({ contents: 'module.exports = { Buffer: { isBuffer: () => false } };', loader: 'js' }));
      build.onLoad({ filter: /^maplibre-css$/, namespace: 'stub' }, () => ({ contents: '', loader: 'empty' }));
    },
  };
  return { define: { global: 'window' }, plugins: [stubs] };
}

if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  await chmod(`${outdir}/cli.js`, 0o755);
}
await mkdir(outdir, { recursive: true });
for (const file of (await readdir(wasmDir)).filter((name) => name.endsWith('.wasm'))) await copyFile(`${wasmDir}/${file}`, `${outdir}/${file}`);
