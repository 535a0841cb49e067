import { engineInfo } from '../engine/engineInfo';
import { type CliCommand, table } from './command';

export const infoCommand: CliCommand = {
  summary: 'show the tfjs backend in use and versions',
  usage: 'info [--json]',
  values: [],
  async run() {
    const info = await engineInfo();
    return {
      result: info,
      human: table([
        ['backend', `${info.backend}${info.native ? ' (native TensorFlow)' : ' (fallback)'}`],
        ['tfjs', info.tfjsVersion],
        ['node', info.node],
        ['latent-lab', info.engineVersion],
      ]),
    };
  },
};
