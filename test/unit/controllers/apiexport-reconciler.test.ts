import { expect } from 'chai';
import type { APIExport, ExportResource, PermissionClaim } from '../../../src/apis/kcp.ts';
import { AGENT_NAME_ANNOTATION } from '../../../src/apis/v1alpha1/constants.ts';
import type { PublishedResource } from '../../../src/apis/v1alpha1/published-resource.ts';
import { type ExportReconcilerDeps, reconcileExport } from '../../../src/controllers/apiexport/reconciler.ts';
import type { ConditionInput } from '../../../src/controllers/shared/published-resources.ts';
import type { Result } from '../../../src/runtime/controller.ts';

const EXPORT = 'example-export';
const SLICE = 'example-slice';
const AGENT = 'example-agent';
const MAX_PASSES = 10;

const CRONTABS_V1 = 'v1a2b3c4d.crontabs.example.com';
const CRONTABS_V2 = 'v9f8e7d6c.crontabs.example.com';
const BACKUPS = 'v0badcafe.backups.example.com';

function pr(name: string, schemaName?: string, spec: Partial<PublishedResource['spec']> = {}): PublishedResource {
  return {
    apiVersion: 'syncagent.kcp.io/v1alpha1',
    kind: 'PublishedResource',
    metadata: { name },
    spec: { resource: { apiGroup: 'example.com', kind: 'Thing' }, ...spec },
    ...(schemaName === undefined ? {} : { status: { resourceSchemaName: schemaName } }),
  };
}

const served = (schema: string): ExportResource => {
  const [, name = '', ...group] = schema.split('.');
  return { name, group: group.join('.'), schema, storage: { crd: {} } };
};

const claim = (resource: string, group = '', verbs = ['*']): PermissionClaim => ({ group, resource, verbs });

function exportWith(
  spec: APIExport['spec'],
  annotations: Record<string, string> = { [AGENT_NAME_ANNOTATION]: AGENT },
): APIExport {
  return { apiVersion: 'apis.kcp.io/v1alpha2', kind: 'APIExport', metadata: { name: EXPORT, annotations }, spec };
}

/** The APIExport in kcp and the conditions written to each PublishedResource. */
interface World {
  export: APIExport | undefined;
  sliceExists: boolean;
  prs: PublishedResource[];
  conditions: Map<string, Record<string, ConditionInput>>;
  writes: number;
}

function depsFor(w: World, sliceName: string): ExportReconcilerDeps {
  return {
    exportName: EXPORT,
    endpointSliceName: sliceName,
    agentName: AGENT,
    listPublishedResources: () => structuredClone(w.prs),
    getExport: () => structuredClone(w.export),
    createExport: (exp) => {
      if (w.export !== undefined) return Promise.reject(new Error('already exists'));
      w.export = structuredClone(exp);
      w.writes++;
      return Promise.resolve();
    },
    endpointSliceExists: () => w.sliceExists,
    createEndpointSlice: () => {
      if (w.sliceExists) return Promise.reject(new Error('already exists'));
      w.sliceExists = true;
      w.writes++;
      return Promise.resolve();
    },
    updateExport: (exp) => {
      w.export = structuredClone(exp);
      w.writes++;
      return Promise.resolve();
    },
    writeStatus: (p, change) => {
      const name = p.metadata.name ?? '';
      const current = w.conditions.get(name) ?? {};
      const next = { ...current, ...Object.fromEntries(change.conditions.map((c) => [c.type, c])) };
      const changed = JSON.stringify(next) !== JSON.stringify(current);
      if (changed) {
        w.conditions.set(name, next);
        w.writes++;
      }
      return Promise.resolve(changed);
    },
  };
}

/**
 * Reconciles until a pass asks for no immediate requeue (it is done, or
 * waits for something else); returns the passes that took and the last result.
 */
async function converge(w: World, sliceName = SLICE): Promise<{ passes: number; result: Result | undefined }> {
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const result = await reconcileExport(depsFor(w, sliceName));
    if (result?.requeueAfterMs !== 0) return { passes: pass, result };
  }
  throw new Error(`no convergence after ${MAX_PASSES} passes`);
}

interface Case {
  name: string;
  prs: PublishedResource[];
  export?: APIExport;
  /** Name of the endpoint slice the agent syncs through (default SLICE). */
  sliceName?: string;
  /** Whether that slice exists before the first pass (default true). */
  sliceExists?: boolean;
  expected: {
    /** The last pass waits (requeue after this long) instead of finishing. */
    waitMs?: number;
    sliceExists?: boolean;
    resources: ExportResource[];
    claims: PermissionClaim[];
    /** ExportReady per PublishedResource name: [status, reason]. Absent names got no condition. */
    ready: Record<string, [string, string | undefined]>;
    annotations?: Record<string, string>;
  };
}

const cases: Case[] = [
  {
    name: 'a missing export is created, serving every published schema and claiming events',
    prs: [pr('crontabs', CRONTABS_V1), pr('backups', BACKUPS), pr('not-yet-published')],
    expected: {
      resources: [served(BACKUPS), served(CRONTABS_V1)],
      claims: [claim('events')],
      ready: { crontabs: ['True', 'Exported'], backups: ['True', 'Exported'] },
      annotations: { [AGENT_NAME_ANNOTATION]: AGENT },
    },
  },
  {
    name: 'a missing export is created even when nothing is published yet',
    prs: [pr('not-yet-published')],
    expected: { resources: [], claims: [claim('events')], ready: {} },
  },
  {
    name: 'resources and claims the agent does not manage are kept',
    prs: [pr('crontabs', CRONTABS_V1)],
    export: exportWith({
      resources: [served('v1.widgets.other.io')],
      permissionClaims: [claim('secrets', '', ['get', 'list']), claim('configmaps')],
    }),
    expected: {
      resources: [served(CRONTABS_V1), served('v1.widgets.other.io')],
      claims: [claim('configmaps'), claim('events'), claim('secrets', '', ['get', 'list'])],
      ready: { crontabs: ['True', 'Exported'] },
    },
  },
  {
    name: 'a new schema of the same group and resource replaces the old one',
    prs: [pr('crontabs', CRONTABS_V2)],
    export: exportWith({ resources: [served(CRONTABS_V1)], permissionClaims: [claim('events')] }),
    expected: {
      resources: [served(CRONTABS_V2)],
      claims: [claim('events')],
      ready: { crontabs: ['True', 'Exported'] },
    },
  },
  {
    name: 'a schema stays served after its PublishedResource is gone, so consumers keep their data',
    prs: [],
    export: exportWith({ resources: [served(CRONTABS_V1)], permissionClaims: [claim('events')] }),
    expected: { resources: [served(CRONTABS_V1)], claims: [claim('events')], ready: {} },
  },
  {
    name: 'a namespace filter on a PublishedResource adds the namespaces claim',
    prs: [pr('crontabs', CRONTABS_V1, { filter: { namespace: { matchLabels: { team: 'a' } } } })],
    export: exportWith({ resources: [served(CRONTABS_V1)], permissionClaims: [claim('events')] }),
    expected: {
      resources: [served(CRONTABS_V1)],
      claims: [claim('events'), claim('namespaces')],
      ready: { crontabs: ['True', 'Exported'] },
    },
  },
  {
    name: 'an export made by hand gets the agent annotation and keeps its other annotations',
    prs: [pr('crontabs', CRONTABS_V1)],
    export: exportWith(
      { resources: [served(CRONTABS_V1)], permissionClaims: [claim('events')] },
      { owner: 'platform-team' },
    ),
    expected: {
      resources: [served(CRONTABS_V1)],
      claims: [claim('events')],
      ready: { crontabs: ['True', 'Exported'] },
      annotations: { owner: 'platform-team', [AGENT_NAME_ANNOTATION]: AGENT },
    },
  },
  {
    name: "an export another agent manages too keeps that agent's name: two agents never rewrite it in turn",
    prs: [pr('crontabs', CRONTABS_V1)],
    export: exportWith(
      { resources: [served(CRONTABS_V1)], permissionClaims: [claim('events')] },
      { [AGENT_NAME_ANNOTATION]: 'other-agent' },
    ),
    expected: {
      resources: [served(CRONTABS_V1)],
      claims: [claim('events')],
      ready: { crontabs: ['True', 'Exported'] },
      annotations: { [AGENT_NAME_ANNOTATION]: 'other-agent' },
    },
  },
  {
    name: 'of two PublishedResources publishing the same group/resource only the first (by creation, then name) is exported; the other reports Conflict',
    prs: [pr('crontabs-old', CRONTABS_V1), pr('crontabs-new', CRONTABS_V2), pr('backups', BACKUPS)],
    expected: {
      resources: [served(BACKUPS), served(CRONTABS_V2)],
      claims: [claim('events')],
      ready: {
        'crontabs-old': ['False', 'Conflict'],
        'crontabs-new': ['True', 'Exported'],
        backups: ['True', 'Exported'],
      },
    },
  },
  {
    name: 'a missing endpoint slice with its own name is created for the export',
    prs: [pr('crontabs', CRONTABS_V1)],
    sliceExists: false,
    expected: {
      resources: [served(CRONTABS_V1)],
      claims: [claim('events')],
      ready: { crontabs: ['True', 'Exported'] },
      sliceExists: true,
    },
  },
  {
    name: 'a missing endpoint slice named like the export is left for kcp to create, and ExportReady waits for it',
    prs: [pr('crontabs', CRONTABS_V1)],
    sliceName: EXPORT,
    sliceExists: false,
    expected: {
      resources: [served(CRONTABS_V1)],
      claims: [claim('events')],
      ready: {},
      sliceExists: false,
      waitMs: 1_000,
    },
  },
];

describe('reconcileExport', function () {
  for (const c of cases) {
    it(c.name, async function () {
      const w: World = {
        export: c.export,
        sliceExists: c.sliceExists ?? true,
        prs: c.prs,
        conditions: new Map(),
        writes: 0,
      };

      const { result } = await converge(w, c.sliceName);

      expect(result).to.deep.equal(c.expected.waitMs === undefined ? undefined : { requeueAfterMs: c.expected.waitMs });
      if (c.expected.sliceExists !== undefined) expect(w.sliceExists, 'slice exists').to.equal(c.expected.sliceExists);
      expect(w.export?.metadata.name).to.equal(EXPORT);
      expect(w.export?.spec.resources ?? []).to.deep.equal(c.expected.resources);
      expect(w.export?.spec.permissionClaims ?? []).to.deep.equal(c.expected.claims);
      if (c.expected.annotations !== undefined)
        expect(w.export?.metadata.annotations).to.deep.equal(c.expected.annotations);
      const ready = Object.fromEntries(
        [...w.conditions].map(([name, conds]) => [name, [conds['ExportReady']?.status, conds['ExportReady']?.reason]]),
      );
      expect(ready).to.deep.equal(c.expected.ready);

      const writes = w.writes;
      expect((await converge(w, c.sliceName)).passes, 'a settled export needs one pass').to.equal(1);
      expect(w.writes, 'a settled export needs no writes').to.equal(writes);
    });
  }
});
