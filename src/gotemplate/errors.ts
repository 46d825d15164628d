/**
 * Errors of the Go-template engine. Messages follow Go's text/template
 * wording so users see what the upstream agent would print, with one
 * addition: parse errors carry a column as well as the line.
 */

/** The name Go gives the template in upstream's renderer; it prefixes every message. */
export const TEMPLATE_NAME = 'inline';

/**
 * Where in the template source something happened: 1-based line and, like
 * Go's execution errors, the 0-based byte offset within that line.
 */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Whether the template could not be parsed or failed while executing. */
export type TemplateErrorKind = 'parse' | 'exec';

/**
 * A template that does not parse or fails to execute. `message` is the full
 * Go-style text (`template: inline:1:7: …`); `position` points into the source.
 */
export class TemplateError extends Error {
  readonly kind: TemplateErrorKind;
  readonly position: SourcePosition | undefined;

  constructor(kind: TemplateErrorKind, message: string, position?: SourcePosition, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TemplateError';
    this.kind = kind;
    this.position = position;
  }
}

/**
 * Thrown by template functions for what Go reports as a function's error
 * return or a panic; the evaluator wraps it as `error calling NAME: …`.
 */
export class FunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FunctionError';
  }
}

/**
 * Thrown by the evaluator's own checks (wrong argument types, missing
 * fields); the evaluator adds the `executing … at <…>` context.
 */
export class ExecFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecFailure';
  }
}

/** The Go-style position of the UTF-16 `offset` in `source` (column in UTF-8 bytes, 0-based). */
export function positionOf(source: string, offset: number): SourcePosition {
  const before = source.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  const line = before.split('\n').length;
  const lineStart = before.slice(lastNewline + 1);
  return { line, column: utf8Length(lineStart) };
}

/** Length of `s` in UTF-8 bytes, as Go measures strings. */
export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}
