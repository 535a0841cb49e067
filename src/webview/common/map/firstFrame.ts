/**
 * The first frame of new points, drawn before regl-scatterplot has them. Its `draw` first turns
 * the points into an array per point and a float state texture (a few hundred ms at a million
 * points), and its point shader reads position, colour, size and opacity from textures, a third
 * slower per frame in software WebGL than reading them from one vertex buffer. This draws the same
 * picture without either: x, y and the colour value go up as one interleaved vertex buffer and one
 * `drawArrays(POINTS)` draws them with the scatter's own point shader, its texture reads replaced by
 * the values they would return (the colours as a uniform array, size and opacity as uniforms); the
 * frame goes through the scatter's renderer (its float framebuffer, its gamma pass, its copy onto
 * the map's canvas), with the scatter's camera, projection and blending. The map then hands the
 * points to the scatter, whose own first frame of them would be this frame again: motionFrames.ts
 * skips it while nothing has changed (test/webview/scale.test.ts compares the two frames pixel for
 * pixel).
 *
 * Only the scatter's plain frame is drawn here: no selection, no encodings by opacity or size, the
 * default point scale. Anything else, or a context that cannot (too few uniforms), draws nothing
 * here and the scatter draws as before.
 */
import { mat4 } from 'gl-matrix';
import type createScatterplot from 'regl-scatterplot';
import type { createRenderer } from 'regl-scatterplot';
// The scatter's own fragment shader, from its package: the same pixels for the same inputs.
import FRAGMENT from 'regl-scatterplot/src/point.fs';

type Scatterplot = ReturnType<typeof createScatterplot>;
type Renderer = ReturnType<typeof createRenderer>;

/** Colours the shader holds: the continuous ramp (128) and a grey for missing values fit. */
const PALETTE_SIZE = 160;

const VERTEX = `
precision highp float;
uniform mat4 modelViewProjection;
uniform vec4 palette[${PALETTE_SIZE}];
uniform float colorMultiplicator;
uniform float pointSize;
uniform float pointScale;
uniform float opacity;
attribute vec3 point;
varying vec4 color;
varying float finalPointSize;
void main() {
  gl_Position = modelViewProjection * vec4(point.x, point.y, 0.0, 1.0);
  float colorIndex = floor(point.z * colorMultiplicator);
  color = palette[int(clamp(colorIndex, 0.0, ${PALETTE_SIZE - 1}.0))];
  color.a = opacity;
  finalPointSize = (pointSize * pointScale) + 0.0;
  gl_PointSize = finalPointSize;
}
`;

interface Program {
  program: WebGLProgram;
  point: number;
  uniforms: Record<'modelViewProjection' | 'palette' | 'colorMultiplicator' | 'pointSize' | 'pointScale' | 'opacity' | 'antiAliasing', WebGLUniformLocation | null>;
}

const programs = new WeakMap<WebGLRenderingContext, Program | null>();

export interface FirstFramePoints {
  /** In the scatter's coordinates ([-1, 1]), as it will be given them. */
  x: Float32Array;
  y: Float32Array;
  /** Its colour value per point (`valueA`). */
  values: Float32Array;
  type: 'categorical' | 'continuous';
}

/**
 * Draws `points` onto `target` as `scatter` (set up with their colours and size, given no points
 * yet) would draw them now; returns the camera view it drew with, or undefined where it drew nothing.
 */
export function drawFirstFrame(renderer: Renderer, scatter: Scatterplot, target: HTMLCanvasElement, points: FirstFramePoints): number[] | undefined {
  const get = scatter.get as (property: string) => unknown;
  // The scatter answers a one-element list with its element.
  const colorList = get('pointColor') as number[] | number[][];
  const palette = (Array.isArray(colorList[0]) ? colorList : [colorList]) as number[][];
  const opacity = [get('opacity')].flat() as number[];
  const sizes = [get('pointSize')].flat() as number[];
  if (
    palette.length > PALETTE_SIZE ||
    get('opacityBy') ||
    get('sizeBy') ||
    get('pixelAligned') ||
    get('pointScaleMode') !== 'asinh' ||
    (get('selectedPoints') as number[]).length > 0 ||
    opacity.length !== 1 ||
    sizes.length !== 1 ||
    target.width === 0 ||
    target.height === 0
  ) {
    return undefined;
  }
  const regl = renderer.regl as unknown as { _gl: WebGLRenderingContext; _refresh(): void };
  const gl = regl._gl;
  const program = programFor(gl);
  if (!program) return undefined;
  const camera = get('camera') as { view: Float32Array; scaling: number[] };
  const view = Array.from(camera.view);
  const count = points.x.length;
  const interleaved = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    interleaved[3 * i] = points.x[i]!;
    interleaved[3 * i + 1] = points.y[i]!;
    interleaved[3 * i + 2] = points.values[i]!;
  }
  const colors = new Float32Array(PALETTE_SIZE * 4);
  palette.forEach((color, i) => colors.set(color.slice(0, 4), i * 4));
  const pointSize = sizes[0]!;
  const buffer = gl.createBuffer();
  renderer.render(() => {
    gl.useProgram(program.program);
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, interleaved, gl.STATIC_DRAW);
    gl.enableVertexAttribArray(program.point);
    gl.vertexAttribPointer(program.point, 3, gl.FLOAT, false, 0, 0);
    const { uniforms } = program;
    gl.uniformMatrix4fv(uniforms.modelViewProjection, false, modelViewProjection(scatter, renderer, target, camera.view));
    gl.uniform4fv(uniforms.palette, colors);
    // As the scatter: a category is its own index, a continuous value spans the palette.
    gl.uniform1f(uniforms.colorMultiplicator, points.type === 'continuous' ? palette.length - 1 : 1);
    gl.uniform1f(uniforms.pointSize, pointSize);
    gl.uniform1f(uniforms.pointScale, pointScale(camera.scaling[0]!, pointSize));
    // The scatter's opacity with nothing selected: min(1, its opacity), times 1.
    gl.uniform1f(uniforms.opacity, Math.min(1, opacity[0]!));
    gl.uniform1f(uniforms.antiAliasing, get('antiAliasing') as number);
    gl.viewport(0, 0, renderer.canvas.width, renderer.canvas.height);
    for (const capability of [gl.DEPTH_TEST, gl.STENCIL_TEST, gl.SCISSOR_TEST, gl.CULL_FACE, gl.DITHER]) gl.disable(capability);
    gl.colorMask(true, true, true, true);
    gl.enable(gl.BLEND);
    gl.blendEquation(gl.FUNC_ADD);
    gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.drawArrays(gl.POINTS, 0, count);
    gl.disableVertexAttribArray(program.point);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
    gl.useProgram(null);
    // regl tracks the GL state it set: it sets it all again before its next command (the gamma pass).
    regl._refresh();
  }, target);
  gl.deleteBuffer(buffer);
  return view;
}

function programFor(gl: WebGLRenderingContext): Program | undefined {
  if (programs.has(gl)) return programs.get(gl) ?? undefined;
  let made: Program | null = null;
  if ((gl.getParameter(gl.MAX_VERTEX_UNIFORM_VECTORS) as number) >= PALETTE_SIZE + 8) {
    const program = gl.createProgram()!;
    for (const [type, source] of [
      [gl.VERTEX_SHADER, VERTEX],
      [gl.FRAGMENT_SHADER, FRAGMENT],
    ] as const) {
      const shader = gl.createShader(type)!;
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      gl.attachShader(program, shader);
      gl.deleteShader(shader);
    }
    gl.linkProgram(program);
    if (gl.getProgramParameter(program, gl.LINK_STATUS)) {
      const uniform = (name: string) => gl.getUniformLocation(program, name);
      made = {
        program,
        point: gl.getAttribLocation(program, 'point'),
        uniforms: {
          modelViewProjection: uniform('modelViewProjection'),
          palette: uniform('palette'),
          colorMultiplicator: uniform('colorMultiplicator'),
          pointSize: uniform('pointSize'),
          pointScale: uniform('pointScale'),
          opacity: uniform('opacity'),
          antiAliasing: uniform('antiAliasing'),
        },
      };
    } else {
      gl.deleteProgram(program);
    }
  }
  programs.set(gl, made);
  return made ?? undefined;
}

/** regl-scatterplot's asinh point scale (its default), from the camera's scaling. */
function pointScale(scaling: number, pointSize: number): number {
  const minPointScale = 1 / pointSize;
  if (scaling > 1) return (Math.asinh(Math.max(1, scaling)) / Math.asinh(1)) * window.devicePixelRatio;
  return Math.max(minPointScale, scaling) * window.devicePixelRatio;
}

/** The scatter's projection × view × model, computed as it computes it (gl-matrix, in a Float32Array), so the points land on the same pixels. */
function modelViewProjection(scatter: Scatterplot, renderer: Renderer, target: HTMLCanvasElement, view: Float32Array): Float32Array {
  const get = scatter.get as (property: string) => unknown;
  const viewAspectRatio = (get('width') as number) / (get('height') as number);
  const projection = mat4.fromScaling(mat4.create(), [target.width / renderer.canvas.width / viewAspectRatio, target.height / renderer.canvas.height, 1]);
  // The map never sets the scatter's data aspect ratio (it cannot be read back): its default, 1, an identity model.
  const model = mat4.create();
  const pvm = mat4.multiply(mat4.create(), view, model);
  return mat4.multiply(pvm, projection, pvm) as Float32Array;
}
