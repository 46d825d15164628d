// The flags of `--memory-curve`: which sizes the memory/CPU curve measures,
// and how long each agent may take per size. Pure: strings in, options out.
import type { AgentKind } from './options.ts';

export interface CurveOptions {
  /** Object counts of the object axis, ascending; 0 is the idle point (empty: no object axis). */
  readonly sizes: readonly number[];
  /** Consumer workspaces the object axis spreads its objects over. */
  readonly workspaces: number;
  /** Workspace counts of the workspace axis (empty: no workspace axis). */
  readonly workspaceAxis: readonly number[];
  /** Objects at every point of the workspace axis. */
  readonly axisObjects: number;
  /** Longest an agent may take for one size's initial sync; past it its memory is read at the cap. */
  readonly capSeconds: number;
  /** Caps for single agents (upstream needs far longer than anyone can wait). */
  readonly capByAgent: Readonly<Partial<Record<AgentKind, number>>>;
  /** Length of the steady phase after each finished initial sync. */
  readonly steadySeconds: number;
  /** Objects per second created during the steady phase. */
  readonly steadyRate: number;
  /** Also write the plot to bench/memory-curve.svg (the one README links). */
  readonly writeReadmePlot: boolean;
}

/** The flags as parseArgs hands them over (strings, or true for the switches). */
export interface CurveFlags {
  readonly 'memory-curve'?: boolean;
  readonly 'curve-sizes'?: string;
  readonly 'curve-workspaces'?: string;
  readonly 'curve-workspace-axis'?: string;
  readonly 'curve-axis-objects'?: string;
  readonly 'curve-cap'?: string;
  readonly 'curve-steady-seconds'?: string;
  readonly 'curve-steady-rate'?: string;
  readonly 'write-readme-plot'?: boolean;
}

export const CURVE_FLAGS = {
  'memory-curve': { type: 'boolean' },
  'curve-sizes': { type: 'string' },
  'curve-workspaces': { type: 'string' },
  'curve-workspace-axis': { type: 'string' },
  'curve-axis-objects': { type: 'string' },
  'curve-cap': { type: 'string' },
  'curve-steady-seconds': { type: 'string' },
  'curve-steady-rate': { type: 'string' },
  'write-readme-plot': { type: 'boolean' },
} as const;

export const CURVE_USAGE = `
Memory curve (--memory-curve; agents default to upstream,ours):
  --curve-sizes LIST          object counts of the object axis (default 0,1000,5000,10000,20000;
                              "none" skips it)
  --curve-workspaces N        workspaces the object axis spreads its objects over (default 20)
  --curve-workspace-axis LIST workspace counts of the workspace axis, on fresh servers each
                              (default 100,1000; "none" skips it)
  --curve-axis-objects N      objects at each point of the workspace axis (default 1000)
  --curve-cap N[,AGENT=N…]    longest initial sync (s) per agent and size; an agent past it is
                              measured at the cap and reported "not finished" (default 300;
                              e.g. 600,upstream=120)
  --curve-steady-seconds N    steady phase after each finished sync (default 30)
  --curve-steady-rate N       objects/s created in the steady phase (default 5)
  --write-readme-plot         also write the plot to bench/memory-curve.svg`;

function count(text: string, flag: string, min: number): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n) || n < min)
    throw new Error(`--${flag}: '${text}' is not a whole number ≥ ${min}`);
  return n;
}

/** A comma list of whole numbers, sorted and without repeats. */
function countList(text: string, flag: string, min: number): number[] {
  const parts = text.split(',').filter((s) => s.trim() !== '');
  if (parts.length === 0) throw new Error(`--${flag}: give at least one number`);
  return [...new Set(parts.map((p) => count(p, flag, min)))].sort((a, b) => a - b);
}

function positiveNumber(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} must be a number > 0, got '${text}'`);
  return n;
}

/** `600,upstream=120`: a default cap and caps for single agents. */
function caps(text: string, known: readonly AgentKind[]): Pick<CurveOptions, 'capSeconds' | 'capByAgent'> {
  let capSeconds = 300;
  const capByAgent: Partial<Record<AgentKind, number>> = {};
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const [agent, value] = part.includes('=') ? part.split('=', 2) : [undefined, part];
    const n = positiveNumber(value, 0, 'curve-cap');
    if (agent === undefined) capSeconds = n;
    else if ((known as readonly string[]).includes(agent.trim())) capByAgent[agent.trim() as AgentKind] = n;
    else throw new Error(`--curve-cap: unknown agent '${agent}' (known: ${known.join(', ')})`);
  }
  return { capSeconds, capByAgent };
}

/** The cap for one agent's initial sync at one size, in seconds. */
export function capFor(curve: Pick<CurveOptions, 'capSeconds' | 'capByAgent'>, kind: AgentKind): number {
  return curve.capByAgent[kind] ?? curve.capSeconds;
}

/** A count list, or none at all when the text is "none". */
function optionalList(text: string, flag: string, min: number): number[] {
  return text.trim() === 'none' ? [] : countList(text, flag, min);
}

/**
 * The curve's options when --memory-curve is given, else undefined (a curve
 * flag alone is an error). `known` are the agent names a cap may name.
 */
export function parseCurveFlags(flags: CurveFlags, known: readonly AgentKind[]): CurveOptions | undefined {
  if (flags['memory-curve'] !== true) {
    const stray = Object.keys(CURVE_FLAGS).find((f) => f !== 'memory-curve' && f in flags);
    if (stray !== undefined) throw new Error(`--${stray} needs --memory-curve`);
    return undefined;
  }
  return {
    sizes: optionalList(flags['curve-sizes'] ?? '0,1000,5000,10000,20000', 'curve-sizes', 0),
    workspaces: count(flags['curve-workspaces'] ?? '20', 'curve-workspaces', 1),
    workspaceAxis: optionalList(flags['curve-workspace-axis'] ?? '100,1000', 'curve-workspace-axis', 1),
    axisObjects: count(flags['curve-axis-objects'] ?? '1000', 'curve-axis-objects', 1),
    ...caps(flags['curve-cap'] ?? '300', known),
    steadySeconds: positiveNumber(flags['curve-steady-seconds'], 30, 'curve-steady-seconds'),
    steadyRate: positiveNumber(flags['curve-steady-rate'], 5, 'curve-steady-rate'),
    writeReadmePlot: flags['write-readme-plot'] === true,
  };
}
