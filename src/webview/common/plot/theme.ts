/**
 * Plot colors from the VS Code theme. Plotly draws onto SVG and WebGL, where CSS variables do not
 * reach, so the current values are read from the page and re-applied when the theme changes.
 */
import type { Layout } from './plotly';

function cssVariable(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export function themeColors() {
  const foreground = cssVariable('--vscode-foreground', '#cccccc');
  return {
    foreground,
    grid: cssVariable('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)'),
    hoverBackground: cssVariable('--vscode-editorHoverWidget-background', '#252526'),
    accent: cssVariable('--vscode-focusBorder', '#007fd4'),
    fontFamily: cssVariable('--vscode-font-family', 'sans-serif'),
  };
}

/** The parts of a layout that follow the theme; views merge their own axes and traces into it. */
export function themedLayout(): Partial<Layout> {
  const colors = themeColors();
  const axis = { gridcolor: colors.grid, zerolinecolor: colors.grid, linecolor: colors.grid, color: colors.foreground };
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: colors.foreground, family: colors.fontFamily, size: 12 },
    xaxis: axis,
    yaxis: axis,
    hoverlabel: { bgcolor: colors.hoverBackground, font: { color: colors.foreground } },
    modebar: { bgcolor: 'rgba(0,0,0,0)', color: colors.foreground, activecolor: colors.accent },
  };
}

/** VS Code switches themes by changing the body's class; calls back after each switch. */
export function onThemeChange(callback: () => void): () => void {
  const observer = new MutationObserver(callback);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}
