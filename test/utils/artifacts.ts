import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './tools.ts';

/**
 * Where one test run keeps server logs (.e2e/artifacts/<run>/, kept when a
 * test fails) and scratch data (a temp directory, always removed).
 */
export class Artifacts {
  readonly logDir: string;
  private readonly scratchRoot: string;
  private failed = false;

  constructor() {
    const run = new Date().toISOString().replace(/[:.]/g, '-');
    this.logDir = process.env['E2E_ARTIFACTS'] ?? join(REPO_ROOT, '.e2e', 'artifacts', run);
    mkdirSync(this.logDir, { recursive: true });
    this.scratchRoot = mkdtempSync(join(tmpdir(), 'api-syncagent-e2e-'));
  }

  /** A log file path for a component, e.g. `kcp.log`, `service-1/kube-apiserver.log`. */
  logFile(name: string): string {
    const path = join(this.logDir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    return path;
  }

  /** A fresh scratch directory for a component's data. */
  scratchDir(name: string): string {
    const dir = join(this.scratchRoot, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  markFailed(): void {
    this.failed = true;
  }

  /** Removes scratch data; removes logs too unless something failed. */
  cleanup(): void {
    rmSync(this.scratchRoot, { recursive: true, force: true });
    if (!this.failed && process.env['KEEP_ARTIFACTS'] === undefined) {
      rmSync(this.logDir, { recursive: true, force: true });
    }
  }
}
