/**
 * The README states what the quick start trains, how well, and shows the explorer on it; this keeps
 * those statements about the model scripts/quickstart.sh really trains.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../support/helpers';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const quickstart = readFileSync(path.join(repoRoot, 'scripts', 'quickstart.sh'), 'utf8');

/** The script's train command with its shell variables filled in, as a reader would type it. */
function trainCommand(script: string): { command: string; variables: Map<string, string> } {
  const variables = new Map<string, string>();
  const expand = (text: string) =>
    text.replace(/"\$(\w+)"|\$\{(\w+)\}|\$(\w+)/g, (_, quoted?: string, braced?: string, bare?: string) => {
      const name = (quoted ?? braced ?? bare)!;
      const value = variables.get(name);
      assert.ok(value !== undefined, `quickstart.sh uses $${name} before setting it`);
      return value;
    });
  for (const line of script.split('\n').map((text) => text.trim())) {
    const assignment = /^(\w+)="?([^"]*)"?$/.exec(line);
    if (assignment) variables.set(assignment[1]!, expand(assignment[2]!));
    else if (line.startsWith('node dist/cli.js train ')) return { command: expand(line), variables };
  }
  throw new Error('scripts/quickstart.sh has no `node dist/cli.js train` line');
}

test('the README quick start states the train command the quick-start script runs', () => {
  const { command, variables } = trainCommand(quickstart);
  assert.ok(readme.includes(command), `README.md does not show the quick start's train command:\n${command}`);
  assert.ok(readme.includes(`scripts/readme-screenshot.ts ${variables.get('run')}`), 'the README picture is not made from the quick-start run folder');
});

test('the README quick start picture exists and stays small', () => {
  const picture = /\]\((media\/readme\/[^)]+\.png)\)/.exec(readme)?.[1];
  assert.ok(picture, 'README.md shows no picture from media/readme');
  assert.ok(statSync(path.join(repoRoot, picture)).size < 300 * 1024, `${picture} is over 300 KB`);
});
