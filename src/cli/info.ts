import { engineInfo } from '../engine/engineInfo';
import { type CliCommand, table } from './command';

export const infoCommand: CliCommand = {
  summary: 'show the tfjs backend in use, where its libtensorflow was found, and versions',
  usage: 'info [--json]',
  values: [],
  async run({ backend }) {
    const info = await engineInfo();
    const { libtensorflow } = backend;
    return {
      result: { ...info, libtensorflow: libtensorflow ?? null },
      human: table([
        ['backend', `${info.backend}${info.native ? ' (native TensorFlow)' : ' (fallback)'}`],
        ['libtensorflow', libtensorflow ? `${libtensorflow.dir} (${libtensorflow.source})` : info.native ? "found by the binding's own search path" : 'not loaded'],
        ['tfjs', info.tfjsVersion],
        ['node', info.node],
        ['latent-lab', info.engineVersion],
      ]),
    };
  },
};
