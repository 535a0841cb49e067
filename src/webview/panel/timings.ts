/**
 * User Timing measures of the two waits users feel: a slider move until its decoded image is in the
 * page, and projected points arriving until the map has drawn them. They cost microseconds, appear
 * in the webview devtools' Performance panel, and bench/ collects them with a PerformanceObserver.
 */
export const timings = {
  sliderToImage: 'latent-lab:slider-to-image',
  pointsToMap: 'latent-lab:points-to-map',
} as const;

export function measureSince(name: (typeof timings)[keyof typeof timings], start: number): void {
  // One entry per name stays buffered: observers still see every measure, long sessions keep no backlog.
  performance.clearMeasures(name);
  performance.measure(name, { start, end: performance.now() });
}
