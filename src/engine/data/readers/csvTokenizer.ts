/**
 * A streaming RFC 4180 tokenizer: fed text in chunks of any size, it hands out one record at a
 * time with where each field starts, so errors can point at file:line:column.
 */
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { eachChunk, fileSource } from '../io/bytes';
import { DataError } from '../dataset';
import { formatBytes, MAX_CSV_BYTES } from '../limits';

export interface CsvRecord {
  fields: string[];
  /** 1-based line and column (in characters) where each field starts. */
  lines: number[];
  columns: number[];
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** Just read a `"` inside a quoted field: an escaped quote or the field's end. */
  QuoteInQuoted,
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export class CsvTokenizer {
  private state = State.FieldStart;
  private field = '';
  private readonly record: CsvRecord = { fields: [], lines: [], columns: [] };
  private line = 1;
  /** Character offsets over all text pushed so far. */
  private consumed = 0;
  private lineStart = 0;
  private fieldLine = 1;
  private fieldColumn = 1;
  private stopped = false;

  /** `onRecord` returns false to stop reading; blank lines are skipped. */
  constructor(
    private readonly where: string,
    private readonly onRecord: (record: CsvRecord) => boolean,
  ) {}

  /** Returns false once `onRecord` asked to stop. */
  push(text: string): boolean {
    let start = 0;
    for (let i = 0; i < text.length && !this.stopped; i++) {
      const char = text.charCodeAt(i);
      switch (this.state) {
        case State.FieldStart:
          this.fieldLine = this.line;
          this.fieldColumn = this.consumed + i - this.lineStart + 1;
          if (char === QUOTE) {
            this.state = State.Quoted;
            start = i + 1;
          } else if (char === COMMA) this.endField('');
          else if (char === LF) this.endRecord('');
          else {
            this.state = State.Unquoted;
            start = i;
          }
          break;
        case State.Unquoted:
          if (char === COMMA) this.endField(this.field + text.slice(start, i));
          // A CRLF line ending leaves its CR on the last unquoted field.
          else if (char === LF) this.endRecord((this.field + text.slice(start, i)).replace(/\r$/, ''));
          break;
        case State.Quoted:
          if (char === QUOTE) {
            this.field += text.slice(start, i);
            this.state = State.QuoteInQuoted;
          }
          break;
        case State.QuoteInQuoted:
          if (char === QUOTE) {
            this.field += '"';
            this.state = State.Quoted;
            start = i + 1;
          } else if (char === COMMA) this.endField(this.field);
          else if (char === LF) this.endRecord(this.field);
          else if (char !== CR) throw this.error(this.line, this.consumed + i - this.lineStart + 1, 'unexpected character after a closing quote; quote the whole field and double any " inside it');
          break;
      }
      if (char === LF) {
        this.line++;
        this.lineStart = this.consumed + i + 1;
      }
    }
    if (this.state === State.Unquoted || this.state === State.Quoted) this.field += text.slice(start);
    this.consumed += text.length;
    return !this.stopped;
  }

  /** Flushes the last record, which may lack a final newline. */
  end(): void {
    if (this.stopped) return;
    if (this.state === State.Quoted) throw this.error(this.fieldLine, this.fieldColumn, 'a quoted field never closes; add the closing "');
    if (this.state === State.Unquoted) this.endRecord(this.field.replace(/\r$/, ''));
    else if (this.state === State.QuoteInQuoted || this.record.fields.length > 0) this.endRecord(this.field);
  }

  private error(line: number, column: number, what: string): DataError {
    return new DataError(`${this.where}:${line}:${column}: ${what}`);
  }

  private endField(text: string): void {
    this.record.fields.push(text);
    this.record.lines.push(this.fieldLine);
    this.record.columns.push(this.fieldColumn);
    this.field = '';
    this.state = State.FieldStart;
  }

  private endRecord(lastField: string): void {
    this.endField(lastField);
    const { fields } = this.record;
    const blank = fields.length === 1 && fields[0]!.trim() === '';
    if (!blank && !this.onRecord(this.record)) this.stopped = true;
    fields.length = 0;
    this.record.lines.length = 0;
    this.record.columns.length = 0;
  }
}

/** Feeds each record of a UTF-8 CSV file (a leading BOM dropped) to `onRecord` until it returns false. */
export async function eachCsvRecord(path: string, onRecord: (record: CsvRecord) => boolean, signal?: AbortSignal): Promise<void> {
  const size = (await stat(path)).size;
  if (size > MAX_CSV_BYTES) throw new DataError(`${path}: is ${formatBytes(size)}, over the ${formatBytes(MAX_CSV_BYTES)} CSV limit; convert it to .npy`);
  const tokenizer = new CsvTokenizer(path, onRecord);
  const decoder = new StringDecoder('utf8');
  let first = true;
  let reading = true;
  await eachChunk(
    fileSource(path, size),
    (chunk) => {
      const text = decoder.write(chunk);
      reading = tokenizer.push(first ? text.replace(/^\uFEFF/, '') : text);
      first = false;
      return reading;
    },
    signal,
  );
  if (reading) {
    tokenizer.push(decoder.end());
    tokenizer.end();
  }
}
