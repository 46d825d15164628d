// Issue 20, item 1: the agent is SIGKILLed at random (seeded) moments while
// it syncs many new objects, while consumers delete them, and while the
// operator writes status; each time it is restarted and must converge with
// every invariant holding on both sides.
import { expect } from 'chai';
import type { RunningAgent } from '../utils/agent.ts';
import { suite } from '../utils/suite.ts';
import { waitInvariants } from './invariants.ts';
import { type FaultReport, reportRow } from './report.ts';
import { faultRandom, faultScale } from './scale.ts';
import {
  type FaultWorld,
  bindTenants,
  buildWorld,
  copies,
  createInTenants,
  deleteInTenants,
  inParallel,
  sleep,
  startWorldAgent,
  writeStatus,
} from './world.ts';

describe('faults: the agent is killed at random moments', function () {
  const scale = faultScale();
  const random = faultRandom();
  let world: FaultWorld;
  let agent: RunningAgent;
  let report: FaultReport;

  before(async function () {
    report = reportRow('agent SIGKILL (sync, deletion wave, status write-back)', scale.name, random.seed);
    world = await buildWorld({ name: 'crash', kcp: suite().kcp, artifacts: suite().artifacts });
    agent = await startWorldAgent(world);
    await bindTenants(world);
    console.log(`      seed ${random.seed} (FAULTS_SEED=${random.seed} replays it)`);
  });

  after(async function () {
    report.print();
    await agent.process.stop();
    await world.service.stop();
  });

  /** Kills the agent after a random delay in [0, windowMs), then starts a new one. */
  const killAfterRandomDelay = async (phase: string, windowMs: number): Promise<void> => {
    const delay = random.int(0, windowMs);
    await sleep(delay);
    await agent.process.kill();
    report.injected(`SIGKILL during ${phase}`);
    console.log(`      killed ${delay} ms into the ${phase}`);
    agent = await startWorldAgent(world);
  };

  it(`converges after every kill: ${scale.rounds} rounds of ${scale.objects} objects`, async function () {
    const perTenant = Math.ceil(scale.objects / world.tenants.length);
    for (let round = 0; round < scale.rounds; round++) {
      const names = Array.from({ length: perTenant }, (_, i) => `r${round}-obj-${i}`);

      // The initial sync: the objects exist before the agent sees them.
      await agent.process.stop();
      await createInTenants(world, names);
      agent = await startWorldAgent(world);
      await killAfterRandomDelay('initial sync', 4_000);
      await waitInvariants(world.scope, report, `round ${round} sync kill`, 120_000);

      // Status write-back: the operator marks every copy Ready while the agent is killed.
      const all = await copies(world);
      const writing = inParallel(all, 8, (c) => writeStatus(world, c, `round-${round}`));
      await killAfterRandomDelay('status write-back', 2_000);
      await writing;
      await waitInvariants(world.scope, report, `round ${round} status kill`, 120_000);

      // The deletion wave: every object of the round goes, except a random tenth kept to the end.
      const doomed = names.filter(() => random.next() > 0.1);
      const deleting = deleteInTenants(world, doomed);
      await killAfterRandomDelay('deletion wave', 3_000);
      await deleting;
      await waitInvariants(world.scope, report, `round ${round} deletion kill`, 120_000);
      report.round();
    }
    expect(report.row.violations, 'invariant violations').to.deep.equal([]);
  });
});
