/**
 * The WebGL renderer every map of a page draws with. regl builds its draw commands as generated
 * JavaScript run through `Function`, which the webview's Content Security Policy (no
 * 'unsafe-eval') refuses; the bundles alias `regl` to @plotly/regl, which takes that generated code
 * precompiled (`cachedCode`), recorded from these same maps by scripts/regl-codegen.ts into
 * reglCode.generated.ts — the way plotly.js ships its strict scattergl.
 */
import createRegl from 'regl';
import { createRenderer } from 'regl-scatterplot';
import { reglCode } from './reglCode.generated';

type Renderer = ReturnType<typeof createRenderer>;

/** What regl-scatterplot asks of WebGL 1 (its own createRegl's list). */
const EXTENSIONS = ['OES_texture_float', 'OES_element_index_uint', 'WEBGL_color_buffer_float', 'EXT_float_blend'];

let shared: Renderer | undefined;

/**
 * One WebGL context for every map of a page. Browsers keep about 16 per renderer process and drop
 * the oldest beyond that; a notebook may show dozens of maps, and a compare page several. A lost
 * context is replaced by a new renderer when a map next needs one.
 */
export function sharedRenderer(): Renderer {
  if (shared && !shared.isDestroyed && !shared.regl._gl.isContextLost()) return shared;
  const canvas = document.createElement('canvas');
  // No multisampling: the points' edges are smoothed in their shader, and software WebGL (SwiftShader)
  // spends a third of a frame resolving it.
  const gl = canvas.getContext('webgl', { antialias: false, preserveDrawingBuffer: true });
  if (!gl) throw new Error('this view cannot create a WebGL context (hardware acceleration off, or too many views open); close some views or enable GPU acceleration');
  const extensions = EXTENSIONS.filter((name) => gl.getExtension(name));
  const renderer = createRenderer({ regl: createRegl({ gl, extensions, cachedCode: reglCode } as createRegl.InitializationOptions), canvas });
  // Given its canvas, the renderer leaves sizing to us: window-sized, it has room for any map of the page.
  renderer.resize(undefined as never, undefined as never);
  window.addEventListener('resize', () => renderer.resize(undefined as never, undefined as never));
  shared = renderer;
  return renderer;
}

/** The generated code regl holds now, precompiled and new: what scripts/regl-codegen.ts records. */
export function reglCodeInUse(): Record<string, unknown> {
  return (sharedRenderer().regl as unknown as { getCachedCode(): Record<string, unknown> }).getCachedCode();
}
