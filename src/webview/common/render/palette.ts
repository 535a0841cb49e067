/** Colors for categories: ten that stay apart on light and dark backgrounds, then golden-angle hues. */
const BASE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function categoryColor(category: number): string {
  if (category >= 0 && category < BASE.length) return BASE[category]!;
  const hue = (category * 137.508) % 360;
  return `hsl(${hue.toFixed(1)}, 55%, 58%)`;
}

/** Plotly's name for the continuous scale; perceptually uniform and readable in every theme. */
export const CONTINUOUS_SCALE = 'Viridis';
