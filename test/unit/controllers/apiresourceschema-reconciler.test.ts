import { expect } from 'chai';
import type { CustomResourceDefinition } from '../../../src/apis/apiextensions.ts';
import type { APIResourceSchema } from '../../../src/apis/kcp.ts';
import {
  AGENT_NAME_ANNOTATION,
  AGENT_NAME_LABEL,
  SOURCE_GENERATION_ANNOTATION,
} from '../../../src/apis/v1alpha1/constants.ts';
import type { PublishedResource } from '../../../src/apis/v1alpha1/published-resource.ts';
import {
  buildSchema,
  reconcileSchema,
  type SchemaReconcilerDeps,
} from '../../../src/controllers/apiresourceschema/reconciler.ts';
import type { ConditionInput } from '../../../src/controllers/shared/published-resources.ts';
import type { Result } from '../../../src/runtime/controller.ts';
import { parseSelector } from '../../../src/translate/label-selector.ts';

const AGENT = 'example-agent';
const PR_NAME = 'publish-crontabs';

const CRONTAB_CRD: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.example.com', generation: 3 },
  spec: {
    group: 'example.com',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList' },
    scope: 'Namespaced',
    versions: [
      { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object' } },
      },
    ],
  },
};

function pr(spec: Partial<PublishedResource['spec']> = {}, labels?: Record<string, string>): PublishedResource {
  return {
    apiVersion: 'syncagent.kcp.io/v1alpha1',
    kind: 'PublishedResource',
    metadata: { name: PR_NAME, ...(labels === undefined ? {} : { labels }) },
    spec: { resource: { apiGroup: 'example.com', kind: 'CronTab', versions: ['v1'] }, ...spec },
  };
}

/** What the PublishedResource's status would hold after the writes. */
interface WrittenStatus {
  conditions: Record<string, ConditionInput>;
  resourceSchemaName?: string;
}

interface World {
  prs: Map<string, PublishedResource>;
  crds: CustomResourceDefinition[];
  schemas: Map<string, APIResourceSchema>;
  status: Map<string, WrittenStatus>;
}

function depsFor(w: World, selector = ''): SchemaReconcilerDeps {
  return {
    agentName: AGENT,
    selector: parseSelector(selector),
    getPublishedResource: (name) => structuredClone(w.prs.get(name)),
    findSource: (group, kind) =>
      Promise.resolve(structuredClone(w.crds.find((c) => c.spec.group === group && c.spec.names.kind === kind))),
    schemaExists: (name) => Promise.resolve(w.schemas.has(name)),
    createSchema: (schema) => {
      const name = schema.metadata.name ?? '';
      if (w.schemas.has(name)) return Promise.reject(new Error('already exists'));
      w.schemas.set(name, structuredClone(schema));
      return Promise.resolve();
    },
    writeStatus: (p, change) => {
      const name = p.metadata.name ?? '';
      const current = w.status.get(name) ?? { conditions: {} };
      w.status.set(name, {
        conditions: { ...current.conditions, ...Object.fromEntries(change.conditions.map((c) => [c.type, c])) },
        ...(current.resourceSchemaName === undefined ? {} : { resourceSchemaName: current.resourceSchemaName }),
        ...(change.resourceSchemaName === undefined ? {} : { resourceSchemaName: change.resourceSchemaName }),
      });
      return Promise.resolve(true);
    },
  };
}

const expectedSchema = (): APIResourceSchema => buildSchema(pr(), CRONTAB_CRD, AGENT);

interface Case {
  name: string;
  pr?: PublishedResource;
  crds?: CustomResourceDefinition[];
  schemas?: APIResourceSchema[];
  selector?: string;
  expected: {
    result: Result | undefined;
    /** SchemaReady as [status, reason], or undefined when nothing was written. */
    schemaReady?: [string, string | undefined];
    /** Strings the SchemaReady message must contain. */
    messageMentions?: string[];
    resourceSchemaName?: string;
    /** Names of the schemas in kcp afterwards. */
    schemas: string[];
  };
}

function expectStatus(status: WrittenStatus | undefined, expected: Case['expected']): void {
  const ready = status?.conditions['SchemaReady'];
  if (expected.schemaReady === undefined) expect(ready).to.equal(undefined);
  else expect([ready?.status, ready?.reason]).to.deep.equal(expected.schemaReady);
  for (const s of expected.messageMentions ?? []) expect(ready?.message).to.include(s);
  expect(status?.resourceSchemaName).to.equal(expected.resourceSchemaName);
}

const cases: Case[] = [
  {
    name: 'a related rule whose template does not parse is InvalidSpec naming the field',
    pr: pr({
      related: [
        {
          identifier: 'creds',
          origin: 'service',
          kind: 'Secret',
          object: { template: { template: '{{ .Object.spec ' } },
        },
      ],
    }),
    expected: {
      result: undefined,
      schemaReady: ['False', 'InvalidSpec'],
      messageMentions: ['spec.related[0].object.template.template'],
      schemas: [],
    },
  },
  {
    name: 'a mutation that does not compile is InvalidSpec naming the field',
    pr: pr({ mutation: { spec: [{ regex: { path: 'spec.image', pattern: '(' } }] } }),
    expected: {
      result: undefined,
      schemaReady: ['False', 'InvalidSpec'],
      messageMentions: ['spec.mutation.spec[0].regex'],
      schemas: [],
    },
  },
  {
    name: 'a naming template that does not parse is InvalidSpec naming the field',
    pr: pr({ naming: { name: '{{ .Object.metadata.name ' } }),
    expected: {
      result: undefined,
      schemaReady: ['False', 'InvalidSpec'],
      messageMentions: ['spec.naming.name'],
      schemas: [],
    },
  },
  {
    name: 'a missing source CRD is reported as SourceNotFound and looked for again later',
    crds: [],
    expected: {
      result: { requeueAfterMs: 30_000 },
      schemaReady: ['False', 'SourceNotFound'],
      messageMentions: ['CronTab', 'example.com'],
      schemas: [],
    },
  },
  {
    name: 'selecting a version the CRD does not have is InvalidSpec naming spec.resource.versions',
    pr: pr({ resource: { apiGroup: 'example.com', kind: 'CronTab', versions: ['v2'] } }),
    expected: {
      result: undefined,
      schemaReady: ['False', 'InvalidSpec'],
      messageMentions: ['spec.resource.versions', 'v2'],
      schemas: [],
    },
  },
  {
    name: 'a missing schema is created, labelled with the agent and the CRD generation, and the reconcile comes back at once',
    expected: { result: { requeueAfterMs: 0 }, schemas: [expectedSchema().metadata.name ?? ''] },
  },
  {
    name: 'an existing schema is recorded in the status with SchemaReady True',
    schemas: [expectedSchema()],
    expected: {
      result: undefined,
      schemaReady: ['True', 'Published'],
      messageMentions: [expectedSchema().metadata.name ?? ''],
      resourceSchemaName: expectedSchema().metadata.name ?? '',
      schemas: [expectedSchema().metadata.name ?? ''],
    },
  },
  {
    name: "a PublishedResource outside the agent's selector is left alone",
    pr: pr({}, { team: 'b' }),
    selector: 'team=a',
    expected: { result: undefined, schemas: [] },
  },
  {
    name: 'a PublishedResource being deleted is left alone',
    pr: { ...pr(), metadata: { name: PR_NAME, deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['x'] } },
    expected: { result: undefined, schemas: [] },
  },
  {
    name: 'a PublishedResource that is gone is done',
    pr: undefined,
    expected: { result: undefined, schemas: [] },
  },
];

describe('reconcileSchema', function () {
  for (const c of cases) {
    it(c.name, async function () {
      const prObj = 'pr' in c ? c.pr : pr();
      const w: World = {
        prs: new Map(prObj === undefined ? [] : [[PR_NAME, prObj]]),
        crds: c.crds ?? [CRONTAB_CRD],
        schemas: new Map((c.schemas ?? []).map((s) => [s.metadata.name ?? '', s])),
        status: new Map(),
      };

      const result = await reconcileSchema(PR_NAME, depsFor(w, c.selector));

      expect(result).to.deep.equal(c.expected.result);
      expect([...w.schemas.keys()]).to.deep.equal(c.expected.schemas);
      expectStatus(w.status.get(PR_NAME), c.expected);
    });
  }

  it("the created schema is built from the selected versions, with the agent's label and annotations", async function () {
    const w: World = { prs: new Map([[PR_NAME, pr()]]), crds: [CRONTAB_CRD], schemas: new Map(), status: new Map() };

    await reconcileSchema(PR_NAME, depsFor(w));

    const [schema] = [...w.schemas.values()];
    expect(schema?.metadata.name).to.match(/^v[0-9a-f]{8}\.crontabs\.example\.com$/);
    expect(schema?.metadata.labels).to.deep.equal({ [AGENT_NAME_LABEL]: AGENT });
    expect(schema?.metadata.annotations).to.deep.equal({
      [AGENT_NAME_ANNOTATION]: AGENT,
      [SOURCE_GENERATION_ANNOTATION]: '3',
    });
    expect(schema?.spec.versions.map((v) => [v.name, v.storage])).to.deep.equal([['v1', true]]);
  });

  it('reaches SchemaReady True in two passes from nothing', async function () {
    const w: World = { prs: new Map([[PR_NAME, pr()]]), crds: [CRONTAB_CRD], schemas: new Map(), status: new Map() };

    expect(await reconcileSchema(PR_NAME, depsFor(w))).to.deep.equal({ requeueAfterMs: 0 });
    expect(await reconcileSchema(PR_NAME, depsFor(w))).to.equal(undefined);

    const name = [...w.schemas.keys()][0];
    expect(w.status.get(PR_NAME)?.resourceSchemaName).to.equal(name);
    expect(w.status.get(PR_NAME)?.conditions['SchemaReady']?.status).to.equal('True');
  });
});
