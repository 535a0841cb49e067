import type { io, LayersModel, NamedTensorMap } from '@tensorflow/tfjs';
import type { Tf } from '../backend';
import { asCheckpointError } from './errors';

/**
 * A LayersModel from already-checked artifacts. Topology and weights are applied in two steps rather
 * than by tf.loadLayersModel with weights, because that leaks the half-built model when the weights
 * do not fit it; here every failure disposes what was made and becomes a CheckpointError.
 */
export async function buildLayersModel(tf: Tf, artifacts: io.ModelArtifacts, file: string): Promise<LayersModel> {
  const { weightData, weightSpecs = [], ...topology } = artifacts;
  let model: LayersModel | undefined;
  let decoded: NamedTensorMap = {};
  try {
    model = await tf.loadLayersModel({ load: async () => topology });
    decoded = weightData === undefined ? {} : tf.io.decodeWeights(weightData, weightSpecs);
    // Optimizer state (converter output can carry it) is never resumed, so it is not loaded.
    const modelWeights = Object.fromEntries(weightSpecs.filter((spec) => spec.group !== 'optimizer').map((spec) => [spec.name, decoded[spec.name]!]));
    model.loadWeights(modelWeights, true);
    return model;
  } catch (error) {
    model?.dispose();
    throw asCheckpointError(error, `${file}: tfjs could not rebuild the model`, 'it uses a layer this version does not know or its weights do not fit its layers — save or convert the model again');
  } finally {
    // The model's variables hold their own references to the values.
    tf.dispose(Object.values(decoded));
  }
}
