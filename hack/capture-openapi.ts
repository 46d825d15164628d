// Captures the OpenAPI v3 document of the core group from a real
// kube-apiserver (the version `make tools` builds) and saves a trimmed copy
// for the unit tests of src/translate/openapi-schema.ts: only the schemas
// reachable from ConfigMap and Service, and no paths.
//
//   node hack/capture-openapi.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isRecord } from '../src/kube/object.ts';
import { Artifacts } from '../test/utils/artifacts.ts';
import { startServiceCluster } from '../test/utils/service-cluster.ts';
import { REPO_ROOT } from '../test/utils/tools.ts';

const OUT = join(REPO_ROOT, 'test/fixtures/openapi/core-v1.json');
const ROOTS = ['io.k8s.api.core.v1.ConfigMap', 'io.k8s.api.core.v1.Service'];
const REF_PREFIX = '#/components/schemas/';

/** Every `$ref` target name inside a value. */
function refsIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)) out.add(v.slice(REF_PREFIX.length));
      else refsIn(v, out);
    }
  }
  return out;
}

/** The schemas reachable from the roots, sorted by name. */
function reachable(schemas: Record<string, unknown>): Record<string, unknown> {
  const seen = new Set<string>();
  const todo = [...ROOTS];
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    if (seen.has(name)) continue;
    if (schemas[name] === undefined) throw new Error(`schema ${name} is referenced but missing`);
    seen.add(name);
    todo.push(...refsIn(schemas[name], new Set()));
  }
  return Object.fromEntries([...seen].sort().map((n) => [n, schemas[n]]));
}

async function main(): Promise<void> {
  const artifacts = new Artifacts();
  const cluster = await startServiceCluster(artifacts, 'capture-openapi');
  try {
    const client = await cluster.client();
    const doc = await client.send('GET', '/openapi/v3/api/v1');
    if (!isRecord(doc) || !isRecord(doc['components']) || !isRecord(doc['components']['schemas'])) {
      throw new Error('the answer is not an OpenAPI v3 document');
    }
    const trimmed = {
      openapi: doc['openapi'],
      info: doc['info'],
      paths: {},
      components: { schemas: reachable(doc['components']['schemas']) },
    };
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify(trimmed, null, 2)}\n`);
    console.log(`wrote ${OUT} (${Object.keys(trimmed.components.schemas).length} schemas)`);
  } finally {
    await cluster.stop();
    artifacts.cleanup();
  }
}

await main();
