/**
 * The notebook renderer for `application/vnd.latent-lab.latents+json` (package.json's
 * `notebookRenderer`; VS Code loads dist/renderer.js as an ES module in the notebook's output
 * webview): each output item becomes an interactive latent map, or one line saying what is wrong.
 */
import { LatentMapOutput } from './latentMapOutput';
import type { ActivationFunction } from './rendererApi';

export const activate: ActivationFunction = () => {
  const outputs = new Map<string, LatentMapOutput>();
  const dispose = (id: string) => {
    outputs.get(id)?.dispose();
    outputs.delete(id);
  };
  return {
    renderOutputItem(outputItem, element) {
      // An item renders again when its output changes: its earlier map goes first.
      dispose(outputItem.id);
      const output = new LatentMapOutput(element);
      outputs.set(outputItem.id, output);
      return output.render(() => outputItem.json());
    },
    disposeOutputItem(id) {
      for (const key of id === undefined ? [...outputs.keys()] : [id]) dispose(key);
    },
  };
};
