/**
 * Screenshots of a page in VS Code's three kinds of theme, for a person to look at: the variables
 * VS Code sets and the body class it switches, as on a theme change.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { artifactDir } from './panel';

/** Where the shots land: test-artifacts/webview/themes/<name>-<theme>.png. */
export const SHOTS = path.join(artifactDir, 'themes');

/** VS Code's Light Modern and High Contrast values for the variables the harness sets to Dark Modern's. */
const themes = {
  light: {
    '--vscode-foreground': '#3b3b3b',
    '--vscode-descriptionForeground': '#717171',
    '--vscode-errorForeground': '#f85149',
    '--vscode-focusBorder': '#005fb8',
    '--vscode-editor-background': '#ffffff',
    '--vscode-panel-border': '#e5e5e5',
    '--vscode-editorWidget-background': '#f8f8f8',
    '--vscode-editorWidget-border': '#c8c8c8',
    '--vscode-editorHoverWidget-background': '#f8f8f8',
    '--vscode-editorHoverWidget-border': '#c8c8c8',
    '--vscode-button-background': '#005fb8',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-secondaryBackground': '#e5e5e5',
    '--vscode-button-secondaryForeground': '#3b3b3b',
    '--vscode-button-hoverBackground': '#0258a8',
    '--vscode-button-secondaryHoverBackground': '#cccccc',
    '--vscode-badge-background': '#cccccc',
    '--vscode-badge-foreground': '#3b3b3b',
    '--vscode-list-hoverBackground': '#f2f2f2',
    '--vscode-input-background': '#ffffff',
    '--vscode-input-foreground': '#3b3b3b',
    '--vscode-input-border': '#cecece',
    '--vscode-dropdown-background': '#ffffff',
    '--vscode-dropdown-border': '#cecece',
    '--vscode-panelTitle-activeBorder': '#005fb8',
    '--vscode-settings-headerBorder': '#e5e5e5',
    '--vscode-panelTitle-activeForeground': '#3b3b3b',
    '--vscode-panelTitle-inactiveForeground': '#3b3b3b',
    '--vscode-progressBar-background': '#005fb8',
    '--vscode-settings-textInputBackground': '#ffffff',
    '--vscode-settings-textInputForeground': '#3b3b3b',
    '--vscode-settings-dropdownBackground': '#ffffff',
    '--vscode-settings-dropdownForeground': '#3b3b3b',
    '--vscode-settings-dropdownBorder': '#cecece',
  },
  'high-contrast': {
    '--vscode-foreground': '#ffffff',
    '--vscode-descriptionForeground': '#ffffffb3',
    '--vscode-errorForeground': '#f48771',
    '--vscode-focusBorder': '#f38518',
    '--vscode-editor-background': '#000000',
    '--vscode-panel-border': '#6fc3df',
    '--vscode-editorWidget-background': '#0c141f',
    '--vscode-editorWidget-border': '#6fc3df',
    '--vscode-editorHoverWidget-background': '#0c141f',
    '--vscode-editorHoverWidget-border': '#6fc3df',
    '--vscode-button-background': '#000000',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-secondaryBackground': '#000000',
    '--vscode-button-secondaryForeground': '#ffffff',
    '--vscode-button-hoverBackground': '#000000',
    '--vscode-button-secondaryHoverBackground': '#000000',
    '--vscode-badge-background': '#000000',
    '--vscode-badge-foreground': '#ffffff',
    '--vscode-list-hoverBackground': '#000000',
    '--vscode-input-background': '#000000',
    '--vscode-input-foreground': '#ffffff',
    '--vscode-input-border': '#6fc3df',
    '--vscode-dropdown-background': '#000000',
    '--vscode-dropdown-border': '#6fc3df',
    '--vscode-panelTitle-activeBorder': '#f38518',
    '--vscode-settings-headerBorder': '#6fc3df',
    '--vscode-panelTitle-activeForeground': '#ffffff',
    '--vscode-panelTitle-inactiveForeground': '#ffffff',
    '--vscode-progressBar-background': '#6fc3df',
    '--vscode-contrastBorder': '#6fc3df',
    '--vscode-button-border': '#6fc3df',
    '--vscode-settings-textInputBackground': '#000000',
    '--vscode-settings-textInputForeground': '#ffffff',
    '--vscode-settings-dropdownBackground': '#000000',
    '--vscode-settings-dropdownForeground': '#ffffff',
    '--vscode-settings-dropdownBorder': '#6fc3df',
  },
};

/** Shoots the page in each theme, switching as VS Code does (the variables, then the body class), and leaves it dark (the harness's own). */
export async function shootThemes(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const shots: [string, Record<string, string>, string][] = [
    ['light', themes.light, 'vscode-light'],
    ['high-contrast', themes['high-contrast'], 'vscode-high-contrast'],
    ['dark', {}, 'vscode-dark'],
  ];
  for (const [theme, variables, bodyClass] of shots) {
    await page.evaluate(
      ({ variables, bodyClass }) => {
        document.documentElement.removeAttribute('style');
        for (const [variable, value] of Object.entries(variables)) document.documentElement.style.setProperty(variable, value);
        document.body.className = bodyClass;
      },
      { variables, bodyClass },
    );
    // Charts redraw on the class change; two frames let Plotly finish.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`), fullPage: true });
  }
}

