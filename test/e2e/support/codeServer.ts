/**
 * A real VS Code workbench for the e2e suite: code-server (provisioned by
 * scripts/e2e/setup-code-server.sh into a cache outside the repository) on 127.0.0.1 with a free
 * port, a throwaway user-data dir, extensions dir and workspace, and Latent Lab installed into the
 * extensions dir as an unpacked extension folder.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findBinding, libtensorflowSpec } from '../../../src/engine/native/libtensorflow';

export const repoRoot = path.resolve(__dirname, '../../..');

export interface Provisioned {
  node: string;
  nodeVersion: string;
  codeServer: string;
  codeServerVersion: string;
  chromium: string;
}

/**
 * Runs the (idempotent, cached) setup script. Resolves to the provisioned paths, or to the reason
 * it could not provision them.
 */
export function provision(timeoutMs: number): Promise<Provisioned | { problem: string }> {
  const script = path.join(repoRoot, 'scripts/e2e/setup-code-server.sh');
  return new Promise((resolve) => {
    execFile('bash', [script], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const values = Object.fromEntries(
        stdout
          .split('\n')
          .map((line) => /^LATENT_LAB_E2E_(\w+)=(.*)$/.exec(line))
          .filter((match): match is RegExpExecArray => match !== null)
          .map((match) => [match[1]!, match[2]!]),
      );
      if (error || !values.NODE || !values.CODE_SERVER || !values.CHROMIUM) {
        const reason = stderr.split('\n').filter((line) => line.startsWith('setup-code-server:')).at(-1) ?? (error ? error.message.split('\n')[0]! : 'the setup script printed no paths');
        resolve({ problem: `${path.relative(repoRoot, script)} failed: ${reason}` });
        return;
      }
      resolve({ node: values.NODE, nodeVersion: values.NODE_VERSION ?? '', codeServer: values.CODE_SERVER, codeServerVersion: values.CODE_SERVER_VERSION ?? '', chromium: values.CHROMIUM });
    });
  });
}

/** Builds dist/ when it is missing or older than a source file (esbuild: a few seconds). */
export function ensureBuilt(): Promise<boolean> {
  const outputs = ['extension.js', 'engine.js', 'webview.js', 'webview.css'].map((file) => path.join(repoRoot, 'dist', file));
  const oldest = Math.min(...outputs.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  if (oldest > 0 && newestSource(path.join(repoRoot, 'src')) <= oldest) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`npm run build failed:\n${stderr}`));
      else resolve(true);
    });
  });
}

function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export interface Workbench {
  url: string;
  userDataDir: string;
  workspace: string;
  extensionDir: string;
  /** The server-side logs (remote agent, extension host, output channels) written so far. */
  serverLogs(filter?: RegExp): string;
  /** code-server's own stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Installs the extension as a user would: scripts/package.ts makes the .vsix (production bundles,
 * the files .vscodeignore lets through) and code-server's own `--install-extension` unpacks it into
 * the extensions dir. Where tfjs-node's binding is built it is the linux-x64 package, and
 * libtensorflow lies where Set Up Native Backend leaves it, in the extension's global storage, as
 * links to the checkout's provisioned copy (the setup itself is test/cli/setupNative.test.ts's);
 * elsewhere the universal package runs on the fallback backend.
 */
function installExtension(provisioned: Provisioned, root: string, extensionsDir: string, env: NodeJS.ProcessEnv): string {
  const vsix = path.join(root, 'latent-lab.vsix');
  const spec = libtensorflowSpec();
  const binding = findBinding();
  const targetArgs = spec && binding ? ['--target', spec.target] : [];
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/package.ts', ...targetArgs, '--out', vsix], { cwd: repoRoot, stdio: 'pipe' });
  const userDataDir = path.join(root, 'user-data');
  execFileSync(provisioned.node, [provisioned.codeServer, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir], { env, stdio: 'pipe' });
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const id = `${manifest.publisher}.${manifest.name}`;
  const folder = path.join(extensionsDir, `${id}-${manifest.version}`);
  if (!existsSync(path.join(folder, 'dist', 'extension.js'))) throw new Error(`code-server did not install ${vsix} into ${folder}`);
  if (spec && binding) {
    const storage = path.join(userDataDir, 'User', 'globalStorage', id, `libtensorflow-${spec.version}`);
    mkdirSync(storage, { recursive: true });
    for (const library of spec.libraries) symlinkSync(path.resolve(path.dirname(binding), '..', '..', 'deps', 'lib', library), path.join(storage, library));
  }
  return folder;
}

export async function startWorkbench(provisioned: Provisioned, options: { env?: Record<string, string> } = {}): Promise<Workbench> {
  const root = mkdtempSync(path.join(tmpdir(), 'latent-lab-e2e-'));
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  const workspace = path.join(root, 'workspace');
  for (const folder of [path.join(userDataDir, 'User'), extensionsDir, workspace]) mkdirSync(folder, { recursive: true });
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        // Quieter and steadier screenshots: no tips, no chat/AI surfaces, no update or survey toasts.
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'telemetry.telemetryLevel': 'off',
        'chat.disableAIFeatures': true,
        'window.commandCenter': false,
      },
      null,
      2,
    ),
  );
  // code-server writes its default config and logs under the XDG dirs: keep them in the temp root.
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(root, 'xdg-config'), XDG_DATA_HOME: path.join(root, 'xdg-data'), ...options.env };
  const extensionDir = installExtension(provisioned, root, extensionsDir, env);
  const port = await freePort();
  const args = [
    provisioned.codeServer,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--config', path.join(root, 'config.yaml'),
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    workspace,
  ];
  let output = '';
  const child: ChildProcess = spawn(provisioned.node, args, {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stopping it also stops the extension host and the engine it forked.
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/`;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    // Children that outlive the server (an extension host still starting, the engine) go too.
    signalGroup('SIGKILL');
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url: `${url}?folder=${encodeURIComponent(workspace)}`,
    userDataDir,
    workspace,
    extensionDir,
    output: () => output,
    serverLogs: (filter?: RegExp) =>
      logFiles(path.join(userDataDir, 'logs'))
        .filter((file) => !filter || filter.test(file))
        .map((file) => `== ${path.relative(userDataDir, file)}\n${readFileSync(file, 'utf8')}`)
        .join('\n'),
    async stop() {
      await stop();
    },
  };
}

function logFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    return statSync(full).isDirectory() ? logFiles(full) : [full];
  });
}

/** Removes a workbench's temp root (after its logs were copied out). */
export function removeWorkbench(workbench: Workbench): void {
  rmSync(path.dirname(workbench.userDataDir), { recursive: true, force: true });
}
