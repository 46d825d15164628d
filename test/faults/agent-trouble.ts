// What an agent warned about or failed at during a fault test, condensed for
// the test's failure message: CI keeps only the end of a run's output, so the
// message itself has to say what went wrong.
import { logEntries, type RunningAgent } from '../utils/agent.ts';

/** The agent's warning and error lines, one per distinct message and last cause, most frequent first. */
export function agentTrouble(agent: RunningAgent): string {
  const counts = new Map<string, number>();
  for (const e of logEntries(agent)) {
    const level = e['level'];
    if (level !== 'warn' && level !== 'error') continue;
    // The last link of an error chain is its cause, without the object names before it.
    const cause = typeof e['error'] === 'string' ? `: ${e['error'].split(': ').at(-1) ?? ''}` : '';
    const key = `${level} ${String(e['msg'])}${cause}`.slice(0, 200);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12);
  return top.length === 0 ? 'no warnings or errors' : top.map(([k, n]) => `${n}× ${k}`).join('\n');
}

/** A failure message: the first violations and the agent's trouble. */
export function violationSummary(violations: readonly string[], agent: RunningAgent): string {
  return [
    `${violations.length} violations, the first: ${violations.slice(0, 5).join(' | ')}`,
    `the agent's warnings and errors:\n${agentTrouble(agent)}`,
  ].join('\n');
}
