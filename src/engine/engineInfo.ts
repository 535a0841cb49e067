import type { EngineInfo } from '../shared/protocol';
import packageJson from '../../package.json';
import { loadBackend } from './backend';

export async function engineInfo(): Promise<EngineInfo> {
  const backend = await loadBackend();
  return {
    backend: backend.name,
    native: backend.native,
    ...(backend.fallbackReason === undefined ? {} : { fallbackReason: backend.fallbackReason }),
    tfjsVersion: backend.tf.version.tfjs,
    node: process.versions.node,
    engineVersion: packageJson.version,
    pid: process.pid,
    numTensors: backend.tf.memory().numTensors,
  };
}
