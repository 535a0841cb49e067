/** Colors for categories and continuous values, as RGB bytes for WebGL and as CSS for the DOM. */
export type Rgb = [number, number, number];

/** Ten that stay apart on light and dark backgrounds; further categories take golden-angle hues. */
const BASE: Rgb[] = [
  [0x4e, 0x79, 0xa7],
  [0xf2, 0x8e, 0x2b],
  [0xe1, 0x57, 0x59],
  [0x76, 0xb7, 0xb2],
  [0x59, 0xa1, 0x4f],
  [0xed, 0xc9, 0x48],
  [0xb0, 0x7a, 0xa1],
  [0xff, 0x9d, 0xa7],
  [0x9c, 0x75, 0x5f],
  [0xba, 0xb0, 0xac],
];

/** A point with no value (a null in a metadata column, a missing label): a grey that reads on light and dark backgrounds alike. */
export const NULL_RGB: Rgb = [0x8c, 0x8c, 0x8c];

export function categoryRgb(category: number): Rgb {
  if (category >= 0 && category < BASE.length) return BASE[category]!;
  return hslToRgb((category * 137.508) % 360, 0.55, 0.58);
}

export function categoryColor(category: number): string {
  return cssRgb(categoryRgb(category));
}

export function cssRgb([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

/** `#rrggbb`: the one color spelling WebGL libraries all parse. */
export function hexRgb(rgb: Rgb): string {
  return `#${rgb.map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;
}

let parser: CanvasRenderingContext2D | null | undefined;

/**
 * Any CSS color the theme gives (named, rgb(), hsl(), #rgb) as RGBA in [0, 1], for WebGL. The
 * browser's own parser does it: a 2-D context spells back what it was given as #rrggbb or rgba().
 */
export function cssToRgba(css: string): [number, number, number, number] {
  parser ??= document.createElement('canvas').getContext('2d');
  if (!parser) return [0.5, 0.5, 0.5, 1];
  parser.fillStyle = '#808080';
  parser.fillStyle = css;
  const spelled = String(parser.fillStyle);
  if (spelled.startsWith('#')) return [1, 3, 5].map((at) => parseInt(spelled.slice(at, at + 2), 16) / 255).concat(1) as [number, number, number, number];
  const [r = 128, g = 128, b = 128, a = 1] = (spelled.match(/[\d.]+/g) ?? []).map(Number);
  return [r / 255, g / 255, b / 255, a];
}

/** Viridis at nine even steps: perceptually uniform, readable in every theme and to most colour-blind eyes. */
const VIRIDIS: Rgb[] = [
  [0x44, 0x01, 0x54],
  [0x47, 0x2d, 0x7b],
  [0x3b, 0x52, 0x8b],
  [0x2c, 0x72, 0x8e],
  [0x21, 0x91, 0x8c],
  [0x28, 0xae, 0x80],
  [0x5e, 0xc9, 0x62],
  [0xad, 0xdc, 0x30],
  [0xfd, 0xe7, 0x25],
];

/** The continuous scale at `steps` colors from low to high. */
export function continuousRamp(steps: number): Rgb[] {
  return Array.from({ length: steps }, (_, step) => {
    const position = (step / Math.max(1, steps - 1)) * (VIRIDIS.length - 1);
    const low = Math.floor(position);
    const high = Math.min(VIRIDIS.length - 1, low + 1);
    const t = position - low;
    const [a, b] = [VIRIDIS[low]!, VIRIDIS[high]!];
    return [0, 1, 2].map((channel) => Math.round(a[channel]! + (b[channel]! - a[channel]!) * t)) as Rgb;
  });
}

/** The continuous scale as a CSS gradient, low at the bottom, for a colour bar. */
export function continuousGradient(): string {
  return `linear-gradient(to top, ${VIRIDIS.map(cssRgb).join(', ')})`;
}

function hslToRgb(hue: number, saturation: number, lightness: number): Rgb {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const channel = (offset: number) => {
    const k = (offset + hue / 30) % 12;
    return Math.round(255 * (lightness - chroma / 2 * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [channel(0), channel(8), channel(4)];
}
