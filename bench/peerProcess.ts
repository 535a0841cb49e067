/**
 * A long-lived reference process in the reference venv (bench/python/*_peers.py): it prints one
 * JSON line when ready, then answers each JSON command line with one JSON line. Each answer has a
 * deadline; a late, failed or vanished process is killed and the benchmark fails with one line, so
 * no run hangs on a reference.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { referencePython } from './figures';

export class PeerProcess {
  private readonly lines: AsyncIterator<string>;
  private readonly exited: Promise<number | null>;
  private stderrTail: string[] = [];

  private constructor(
    private readonly name: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    this.exited = new Promise((resolve) => child.on('close', resolve));
    createInterface({ input: child.stderr }).on('line', (line) => {
      // TensorFlow and PyTorch log freely on stderr; only the end is kept, for a failure's message.
      this.stderrTail.push(line);
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    });
  }

  /** Starts bench/python/SCRIPT with ARGS and waits (at most `timeoutMs`) for its ready line. */
  static async start(name: string, script: string, args: string[], timeoutMs = 180_000): Promise<{ peer: PeerProcess; ready: Record<string, unknown> }> {
    const child = spawn(referencePython(), [path.join(__dirname, 'python', script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const peer = new PeerProcess(name, child);
    try {
      const ready = await peer.nextJson(timeoutMs, 'start');
      if (ready.ready !== true) throw new Error(`${name} printed ${JSON.stringify(ready)} instead of its ready line`);
      return { peer, ready };
    } catch (error) {
      peer.stop();
      throw error;
    }
  }

  /** Sends one command; resolves to its answer, or kills the process and rejects after `timeoutMs` or on an `error` answer. */
  async request<T>(command: Record<string, unknown>, timeoutMs: number): Promise<T> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const answer = await this.nextJson(timeoutMs, String(command.op));
    if (typeof answer.error === 'string') {
      this.stop();
      throw new Error(`${this.name}: ${answer.error}`);
    }
    return answer as T;
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private async nextJson(timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.stop();
        reject(new Error(`${this.name} gave no answer to ${what} within ${timeoutMs / 1000} s; killed`));
      }, timeoutMs);
    });
    try {
      for (;;) {
        const line = await Promise.race([this.lines.next(), deadline]);
        if (line.done) {
          const code = await this.exited;
          throw new Error(`${this.name} stopped (exit code ${code}) during ${what}: ${this.stderrTail.at(-1) ?? 'no message'}`);
        }
        // Libraries may print their own lines on stdout; the answers are the JSON objects.
        if (line.value.startsWith('{')) return JSON.parse(line.value) as Record<string, unknown>;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
