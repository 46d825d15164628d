import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { isRecord } from './object.ts';
import type { ExecPlugin, KubeUser } from './kubeconfig.ts';

const run = promisify(execFile);

/** How long a token file is trusted before it is read again (client-go: one minute). */
const TOKEN_FILE_TTL_MS = 60_000;
/** An exec credential is renewed this long before it expires. */
const EXPIRY_MARGIN_MS = 10_000;

/** What an exec plugin answered: a token and/or a client certificate. */
export interface ExecCredential {
  readonly token?: string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  /** Epoch ms; undefined when the plugin gives none (the answer then holds for the run). */
  readonly expiresAt?: number;
}

/** The request headers of a kubeconfig user, renewed when they come from a file or a plugin. */
export type AuthHeaders = () => Promise<Record<string, string>>;

/** `first` is an answer of the user's exec plugin already at hand, used until it expires. */
export function authHeadersFor(user: KubeUser, first?: ExecCredential, now: () => number = Date.now): AuthHeaders {
  const fixed = fixedHeaders(user);
  const { tokenFile, exec } = user;
  if (exec !== undefined) {
    let cached = first;
    return async () => {
      if (cached === undefined || (cached.expiresAt !== undefined && cached.expiresAt - EXPIRY_MARGIN_MS <= now())) {
        cached = await runExecPlugin(exec);
      }
      return cached.token === undefined ? fixed : { ...fixed, authorization: `Bearer ${cached.token}` };
    };
  }
  if (tokenFile !== undefined && user.token === undefined) {
    let cached: { token: string; readAt: number } | undefined;
    return async () => {
      if (cached === undefined || now() - cached.readAt >= TOKEN_FILE_TTL_MS) {
        const token = await readFile(tokenFile, 'utf8').catch((err: unknown) => {
          throw new Error(`failed to read token file ${tokenFile}`, { cause: err });
        });
        cached = { token: token.trim(), readAt: now() };
      }
      return { ...fixed, authorization: `Bearer ${cached.token}` };
    };
  }
  return () => Promise.resolve(fixed);
}

function fixedHeaders(user: KubeUser): Record<string, string> {
  if (user.token !== undefined) return { authorization: `Bearer ${user.token}` };
  if (user.username !== undefined) {
    const basic = Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  return {};
}

/** Runs a client-go credential plugin and reads its ExecCredential from stdout. */
export async function runExecPlugin(plugin: ExecPlugin): Promise<ExecCredential> {
  const info = { apiVersion: plugin.apiVersion, kind: 'ExecCredential', spec: { interactive: false } };
  let stdout: string;
  try {
    ({ stdout } = await run(plugin.command, [...plugin.args], {
      env: { ...process.env, ...plugin.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) },
      timeout: 60_000,
    }));
  } catch (err) {
    throw new Error(`failed to run the exec credential plugin ${plugin.command}`, { cause: err });
  }
  return parseExecCredential(stdout, plugin.command);
}

/** The status of an ExecCredential document. */
export function parseExecCredential(stdout: string, command: string): ExecCredential {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (err) {
    throw new Error(`the exec credential plugin ${command} did not print JSON`, { cause: err });
  }
  const status = isRecord(doc) && isRecord(doc['status']) ? doc['status'] : {};
  const token = str(status['token']);
  const cert = str(status['clientCertificateData']);
  const key = str(status['clientKeyData']);
  if (token === undefined && (cert === undefined || key === undefined)) {
    throw new Error(`the exec credential plugin ${command} returned neither a token nor a client certificate`);
  }
  return {
    ...(token === undefined ? {} : { token }),
    ...(cert === undefined || key === undefined ? {} : { clientCertificate: cert, clientKey: key }),
    ...expiryOf(status),
  };
}

/** `expirationTimestamp` as epoch ms, when the plugin gives a valid one. */
function expiryOf(status: Record<string, unknown>): { expiresAt?: number } {
  const expiresAt = Date.parse(str(status['expirationTimestamp']) ?? '');
  return Number.isNaN(expiresAt) ? {} : { expiresAt };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
