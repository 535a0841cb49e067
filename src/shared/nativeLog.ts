/**
 * TensorFlow's own stderr lines (absl logging: `I0000 00:00:… file.cc:153] …`, and the banner absl
 * prints before it is initialised). TF 2.21 prints its start-up notices whatever TF_CPP_MIN_LOG_LEVEL
 * says (measured: no environment variable silences them), so the CLI and the host sort them out of
 * the engine's stderr by their format instead.
 */
export type NativeLogLevel = 'debug' | 'warn' | 'error';

const ABSL_LINE = /^([IWEF])\d{4} \d\d:\d\d:[\d.]+(?: +\d+)? [^\s:]+:\d+\] /;
const BANNER = 'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR';

/** The level of a TensorFlow log line (its notices are debug output), or undefined for any other line. */
export function nativeLogLevel(line: string): NativeLogLevel | undefined {
  if (line === BANNER) return 'debug';
  const severity = ABSL_LINE.exec(line)?.[1];
  if (severity === undefined) return undefined;
  return severity === 'I' ? 'debug' : severity === 'W' ? 'warn' : 'error';
}
