import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../data/dataset';
import { loadDataset } from '../data/loadDataset';
import { encodeNpy } from '../data/npy';
import { renormalize } from '../data/renormalize';
import { encodeAll } from '../models/encodeAll';
import { openCheckpoint } from '../models/openCheckpoint';
import { intFlag, stringFlag, UsageError } from './args';
import { type CliCommand, table } from './command';

export const encodeCommand: CliCommand = {
  summary: 'encode a dataset with a checkpoint and write the latents as .npy',
  usage: 'encode --checkpoint DIR --data <sample|path> --out latents.npy [--limit N] [--k N] [--json]',
  values: ['checkpoint', 'data', 'out', 'limit', 'k'],
  async run({ args, backend, signal }) {
    const checkpoint = stringFlag(args, 'checkpoint');
    const data = stringFlag(args, 'data');
    const out = stringFlag(args, 'out');
    if (!checkpoint || !data || !out) throw new UsageError('encode needs --checkpoint DIR, --data PATH and --out FILE.npy');
    const { tf } = backend;
    const { model, meta } = await openCheckpoint(tf, checkpoint);
    try {
      const dataset = await loadDataset(data, { limit: args.flags.has('limit') ? intFlag(args, 'limit', 0) : undefined, signal });
      if (dataset.shape.join('×') !== meta.inputShape.join('×')) {
        throw new DataError(`${dataset.source}: samples have shape ${dataset.shape.join('×')} but the model expects ${meta.inputShape.join('×')} — encode data like the training data`);
      }
      const k = args.flags.has('k') ? intFlag(args, 'k', 0, 1, model.latentDim) : undefined;
      if (k !== undefined && meta.kind !== 'ksparse') throw new UsageError('--k applies to k-sparse models only');
      const latents = await encodeAll(tf, model, renormalize(dataset, meta.normalization), dataset.shape, { k, signal });
      const target = path.resolve(out);
      await fs.writeFile(target, encodeNpy(latents, [dataset.count, model.latentDim]));
      const result = { latents: target, count: dataset.count, latentDim: model.latentDim, kind: meta.kind };
      return { result, human: table([['latents', target], ['shape', `${dataset.count} × ${model.latentDim}`], ['model', meta.kind]]) };
    } finally {
      model.dispose();
    }
  },
};
