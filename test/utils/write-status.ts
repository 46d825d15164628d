// Plays an operator writing the status of an object it owns.
import { isConflict } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import type { RestClient } from '../../src/kube/rest-client.ts';

/**
 * Reads the object and writes `status(current)` through its /status
 * subresource. Like a real operator it reads again and retries on a 409: the
 * agent may write the object between our read and our write, which is the
 * agent working, not a fault the story is about.
 */
export async function writeStatus(
  client: RestClient,
  path: string,
  status: (current: KubeObject) => unknown,
): Promise<KubeObject> {
  for (let attempt = 1; ; attempt++) {
    const current = await client.get(path);
    try {
      return await client.replace(`${path}/status`, { ...current, status: status(current) });
    } catch (err) {
      if (!isConflict(err) || attempt >= 10) throw err;
    }
  }
}
