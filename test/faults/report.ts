// The table every fault test adds a row to: what was injected, how often,
// which invariants were checked on which side, and the violations found.
import { writeFileSync } from 'node:fs';
import type { InvariantResult } from './invariants.ts';

export interface ReportRow {
  readonly test: string;
  readonly scale: string;
  readonly seed: number | undefined;
  rounds: number;
  /** Fault kind → how many times it was injected. */
  readonly faults: Map<string, number>;
  /** Invariant name → checks made (one per object and check). */
  readonly checks: Map<string, number>;
  kcpObjectsChecked: number;
  serviceObjectsChecked: number;
  violations: string[];
  /** The longest time from the end of a fault to zero violations. */
  maxConvergeMs: number;
  /** Free-form figures (takeover time, writes after lease loss, …). */
  readonly notes: string[];
}

const rows: ReportRow[] = [];

/** A row for one test; fill it while the test runs, print it at the end. */
export function reportRow(test: string, scale: string, seed?: number): FaultReport {
  const row: ReportRow = {
    test,
    scale,
    seed,
    rounds: 0,
    faults: new Map(),
    checks: new Map(),
    kcpObjectsChecked: 0,
    serviceObjectsChecked: 0,
    violations: [],
    maxConvergeMs: 0,
    notes: [],
  };
  rows.push(row);
  return new FaultReport(row);
}

export class FaultReport {
  readonly row: ReportRow;

  constructor(row: ReportRow) {
    this.row = row;
  }

  injected(kind: string, times = 1): void {
    this.row.faults.set(kind, (this.row.faults.get(kind) ?? 0) + times);
    console.log(`      injected: ${kind}${times === 1 ? '' : ` ×${times}`}`);
  }

  round(): void {
    this.row.rounds += 1;
  }

  note(text: string): void {
    this.row.notes.push(text);
    console.log(`      ${text}`);
  }

  /** Adds the result of one invariant check (the final one after a fault). */
  checked(result: InvariantResult, convergeMs: number): void {
    for (const [name, n] of result.checks) this.row.checks.set(name, (this.row.checks.get(name) ?? 0) + n);
    this.row.kcpObjectsChecked += result.kcpObjects;
    this.row.serviceObjectsChecked += result.serviceObjects;
    this.row.violations.push(...result.violations);
    this.row.maxConvergeMs = Math.max(this.row.maxConvergeMs, convergeMs);
  }

  /** Adds violations found outside the invariant checker (e.g. a write after losing the lease). */
  violation(text: string): void {
    this.row.violations.push(text);
  }

  print(): void {
    console.log(renderRow(this.row));
  }
}

const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
const list = (m: Map<string, number>): string => [...m].map(([k, v]) => `${k}×${v}`).join(', ');

function renderRow(r: ReportRow): string {
  return [
    `      ── ${r.test} (scale ${r.scale}${r.seed === undefined ? '' : `, seed ${r.seed}`})`,
    `         rounds ${r.rounds}; faults injected ${sum(r.faults)}: ${list(r.faults) || 'none'}`,
    `         invariants checked ${sum(r.checks)} times on ${r.kcpObjectsChecked} kcp + ${r.serviceObjectsChecked} service-cluster objects: ${list(r.checks)}`,
    `         slowest convergence after a fault ${r.maxConvergeMs} ms; violations ${r.violations.length}`,
    ...r.notes.map((n) => `         ${n}`),
    ...r.violations.slice(0, 20).map((v) => `         VIOLATION ${v}`),
  ].join('\n');
}

/** The whole run's table (and FAULTS_REPORT=<file> gets it as JSON). */
export function printReportTable(): void {
  if (rows.length === 0) return;
  const header = [
    'test',
    'scale',
    'rounds',
    'faults',
    'invariant checks',
    'kcp objs',
    'service objs',
    'max converge ms',
    'violations',
  ];
  const body = rows.map((r) => [
    r.test,
    r.scale,
    String(r.rounds),
    String(sum(r.faults)),
    String(sum(r.checks)),
    String(r.kcpObjectsChecked),
    String(r.serviceObjectsChecked),
    String(r.maxConvergeMs),
    String(r.violations.length),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(['', 'Fault report', line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n'));
  for (const r of rows)
    if (r.faults.size > 0)
      console.log(`  ${r.test}: ${list(r.faults)}${r.notes.length > 0 ? `; ${r.notes.join('; ')}` : ''}`);
  const out = process.env['FAULTS_REPORT'];
  if (out !== undefined) {
    writeFileSync(
      out,
      JSON.stringify(
        rows.map((r) => ({ ...r, faults: Object.fromEntries(r.faults), checks: Object.fromEntries(r.checks) })),
        null,
        2,
      ),
    );
  }
}
