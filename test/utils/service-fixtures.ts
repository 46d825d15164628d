import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CustomResourceDefinition } from '../../src/apis/apiextensions.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';
import { applyObject } from './kcp-fixtures.ts';
import { waitFor } from './wait.ts';

/** Reads a CRD manifest. */
export function readCrd(path: string): CustomResourceDefinition {
  return parse(readFileSync(path, 'utf8')) as CustomResourceDefinition;
}

/** Installs a CRD and waits until it is Established and its objects can be listed. */
export async function installCrd(client: RestClient, crd: CustomResourceDefinition): Promise<void> {
  await applyObject(client, crd as unknown as Parameters<typeof applyObject>[1]);
  const name = crd.metadata.name ?? '';
  await waitFor(`CRD ${name} to be Established`, async () => {
    const obj = await client.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    const conditions =
      (obj['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });
  const version = crd.spec.versions.find((v) => v.storage)?.name ?? '';
  await waitFor(`${crd.spec.names.plural} to be served`, async () => {
    await client.list(`/apis/${crd.spec.group}/${version}/${crd.spec.names.plural}`);
    return true;
  });
}

/** A short-lived token for a ServiceAccount (TokenRequest), to act with exactly its RBAC. */
export async function serviceAccountToken(
  client: RestClient,
  namespace: string,
  name: string,
  expirationSeconds = 3600,
): Promise<string> {
  const res = await client.create(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: {},
    spec: { expirationSeconds },
  });
  const token = (res['status'] as { token?: string } | undefined)?.token;
  if (token === undefined) throw new Error(`no token for ServiceAccount ${namespace}/${name}`);
  return token;
}
