/**
 * The performance benchmarks, each against its reference measured on this machine in this run. Usage: npm run bench -- [--json] [--quick] [--only field,field|scale]
 * A table (figure, ours, reference, value, target) precedes the last stdout line, one JSON object
 * with every field. --quick shrinks each run for a smoke check; its figures are indicative only.
 */
import { benchActivation } from './activation';
import { benchScaleEngine, scaleMapData } from './scaleEngine';
import { benchScaleMap } from './scaleMap';
import { benchScaleProjection } from './scaleProjection';
import { benchScatterComparison } from './scatterComparison';
import { benchEngineLeaks } from './engineLeaks';
import { type BenchOptions, type Figure, formatValue } from './figures';
import { benchTraining } from './train';
import { benchEncodePeer } from './encodePeer';
import { benchTrainConvVaePeers, benchTrainKind } from './trainPeers';
import { benchTsnePeer } from './tsnePeer';
import { benchUmap } from './umap';
import { benchWebview } from './webview';
import { benchLoopHolds, benchWhileTraining } from './whileTraining';

/** `--only` takes fields or a group; a group's benches run only when asked for (`scale`: the million-point ones, about 15 minutes here). */
const benches: { fields: string[]; group?: string; run: (options: BenchOptions) => Promise<Figure[]> }[] = [
  { fields: ['trainRatioVsKeras'], run: benchTraining },
  { fields: ['trainRatioVsKerasXla', 'trainRatioVsTorch'], run: benchTrainConvVaePeers },
  { fields: ['trainRatioVsKerasConvAe'], run: benchTrainKind('trainRatioVsKerasConvAe', 'conv AE', { model: 'conv', config: {} }, 'conv', false) },
  { fields: ['trainRatioVsKerasBetaVae'], run: benchTrainKind('trainRatioVsKerasBetaVae', 'conv β-VAE (β = 4)', { model: 'betavae', config: { encoder: 'conv' } }, 'betavae', false) },
  { fields: ['trainRatioVsKerasVqVae'], run: benchTrainKind('trainRatioVsKerasVqVae', 'conv VQ-VAE (64 codes × 16, 4 positions)', { model: 'vqvae', config: { encoder: 'conv' } }, 'vqvae', false) },
  { fields: ['trainRatioVsKerasDenseAe'], run: benchTrainKind('trainRatioVsKerasDenseAe', 'dense AE (784-256-16)', { model: 'ae', config: {} }, 'ae', true) },
  { fields: ['encodeSamplesPerSecRatio'], run: benchEncodePeer },
  { fields: ['tsneTimeRatio', 'tsneTrustDelta'], run: benchTsnePeer },
  { fields: ['umapTimeRatio', 'umapTrustDelta'], run: benchUmap },
  { fields: ['decodeP95Ms', 'firstDrawMs100k'], run: benchWebview },
  { fields: ['leakedTensors'], run: benchEngineLeaks },
  { fields: ['activationMs'], run: benchActivation },
  { fields: ['decodeP95MsWhileTraining', 'decodeMaxMsWhileTraining', 'cancelMsWhileTraining'], run: benchWhileTraining },
  { fields: ['maxLoopHoldMsWhileTraining'], run: benchLoopHolds },
  { fields: ['encodeMs1M', 'engineRssMb1M'], group: 'scale', run: benchScaleEngine },
  // After the engine bench, which writes the million latents this one projects.
  { fields: ['umapTimeRatio1M', 'umapTrustDelta1M', 'umapCancelMs1M', 'tsneMs', 'tsneMs1MEstimate'], group: 'scale', run: benchScaleProjection },
  { fields: ['firstDrawMs1M', 'panFrameMsP95_1M', 'panSettleMs1M', 'hoverMsP95_1M', 'pickRedrawMsP95_1M', 'webviewHeapMb1M'], group: 'scale', run: async (options) => benchScaleMap(options, await scaleMapData(options)) },
  // `vsEmbeddingAtlas` (issue 15) names the comparison; its figures are the two ratios, then each contender's.
  { fields: ['vsEmbeddingAtlas', 'firstDrawRatioVsEmbeddingAtlas', 'panFrameRatioVsEmbeddingAtlas'], group: 'scale', run: benchScatterComparison },
];

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const options: BenchOptions = { quick: process.argv.includes('--quick') };
  const only = option('only')?.split(',');
  const figures: Figure[] = [];
  for (const bench of benches) {
    const chosen = only ? bench.fields.some((field) => only.includes(field)) || (bench.group !== undefined && only.includes(bench.group)) : bench.group === undefined;
    if (!chosen) continue;
    const started = Date.now();
    figures.push(...(await bench.run(options)));
    console.error(`bench: ${bench.fields.join(', ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  printTable(figures);
  console.log(JSON.stringify(Object.fromEntries(figures.map((figure) => [figure.field, figure.value]))));
}

function printTable(figures: Figure[]): void {
  const rows = [['figure', 'ours', 'reference', 'value', 'target', 'met'], ...figures.map((figure) => [figure.field, figure.ours, figure.reference, formatValue(figure.value), figure.target, figure.met ? 'yes' : 'NO'])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
