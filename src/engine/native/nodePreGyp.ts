/**
 * Stands in for @mapbox/node-pre-gyp when esbuild bundles tfjs-node (esbuild.mjs): tfjs-node asks it
 * only where its binding is, and the real package (with its download machinery) would have to ship
 * in node_modules to answer. backend.ts checks that the binding exists before tfjs-node asks.
 */
import * as path from 'node:path';
import { BINDING_FILE, findBinding } from './libtensorflow';

export function find(): string {
  return findBinding() ?? path.join(__dirname, 'native', BINDING_FILE);
}
