// Bundles the six entry points. @tensorflow/tfjs-node stays external (a native addon that brings its
// own @tensorflow/tfjs from node_modules), and so does onnxruntime-node (a native addon too, required
// only when an ONNX model is opened); the fallback @tensorflow/tfjs and its wasm backend are
// bundled, so dist/ runs without node_modules. The two never mix in one process: the engine uses
// whichever `tf` backend.ts loaded. The wasm binaries are copied beside the bundles.
import * as esbuild from 'esbuild';
import { chmod, copyFile, mkdir, readdir } from 'node:fs/promises';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const nodeExternals = ['vscode', '@tensorflow/tfjs-node', 'onnxruntime-node'];
const wasmDir = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

const builds = [
  { ...common, entryPoints: { extension: 'src/extension/extension.ts' }, platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals, outdir: 'dist' },
  // The UMAP layout thread is a file of its own that the engine (and the CLI) start beside them.
  { ...common, entryPoints: { engine: 'src/engine/engineProcess.ts', umapWorker: 'src/engine/projection/umap/umapWorker.ts' }, platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals, outdir: 'dist' },
  { ...common, entryPoints: { cli: 'src/cli/main.ts' }, platform: 'node', format: 'cjs', target: 'node20', external: nodeExternals, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: { webview: 'src/webview/panel/main.ts' }, platform: 'browser', format: 'iife', target: 'chrome120', outdir: 'dist', ...plotlySourceOptions() },
  // The notebook renderer: VS Code imports it as an ES module into the notebook's output webview,
  // which loads no stylesheet for it, so its CSS comes in as text that it injects itself.
  { ...common, entryPoints: { renderer: 'src/webview/notebook/index.ts' }, platform: 'browser', format: 'esm', target: 'chrome120', outdir: 'dist', ...plotlySourceOptions(), loader: { '.css': 'text' } },
];

/**
 * What plotly.js's own build gives its source, for the partial bundle the webview imports: a
 * `global`, its regl flavour (the one that runs the precompiled shaders, so nothing needs
 * `new Function` under the webview's CSP), and stand-ins for two imports the traces we bundle never
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
  return { define: { global: 'window' }, alias: { regl: '@plotly/regl' }, plugins: [stubs] };
}

if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  await chmod('dist/cli.js', 0o755);
}
await mkdir('dist', { recursive: true });
for (const file of (await readdir(wasmDir)).filter((name) => name.endsWith('.wasm'))) await copyFile(`${wasmDir}/${file}`, `dist/${file}`);
