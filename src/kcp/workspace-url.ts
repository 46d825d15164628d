/**
 * kcp addresses a workspace by a URL path: `<base>/clusters/<path or logical
 * cluster name>`. The agent's kcp kubeconfig must point into one.
 */
export interface WorkspaceUrl {
  /** Scheme, host and any path before `/clusters/`. */
  readonly base: string;
  /** The workspace path (`root:org:provider`) or logical cluster name. */
  readonly cluster: string;
}

const CLUSTER_PATH = /^(.*)\/clusters\/([^/]+)\/?$/;

/** Splits a server URL; undefined when it does not point into a workspace. */
export function parseWorkspaceUrl(server: string): WorkspaceUrl | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return undefined;
  }
  const match = CLUSTER_PATH.exec(url.pathname);
  if (match === null || match[2] === undefined || match[2] === '*') return undefined;
  return { base: `${url.origin}${match[1] ?? ''}`, cluster: decodeURIComponent(match[2]) };
}

/** The URL of another workspace on the same server. */
export function workspaceServer(base: string, cluster: string): string {
  return `${base}/clusters/${cluster}`;
}
