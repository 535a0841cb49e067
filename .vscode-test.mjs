// @vscode/test-cli configuration for the integration suite (scripts/run-integration.mjs builds the
// tests into out/ first and runs this only where VS Code can be downloaded).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  files: 'out/test/integration/**/*.test.js',
  workspaceFolder: 'out/test/integration-workspace',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'tdd', timeout: 180_000 },
});
