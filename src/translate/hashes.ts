// crypto.hash: one call, no Hash object per digest (a copy's name costs two).
import { hash } from 'node:crypto';

/**
 * The hashes that end up in object names, label values and Secret keys. Their
 * output is part of the wire contract with the upstream Go agent (copies are
 * found by hashed labels), so each one is byte-for-byte the upstream function:
 * the input string is hashed as UTF-8, the digest is lower-case hex.
 */

/** Length of the SHA-3 hex digest ({@link sha3Hex}). */
const SHA3_HEX_LENGTH = 64;

/** How many digests of each kind are remembered; all are forgotten when it is full. */
const REMEMBERED_DIGESTS = 4096;
/** Only inputs up to a name's length are remembered; templates may hash whole field values. */
const REMEMBERED_INPUT_LENGTH = 253;

/**
 * `digest` with its last answers remembered: every pass over a consumer
 * object hashes the same names again (its copy's name and labels), and a
 * remembered digest costs a map lookup instead of a call into OpenSSL. The
 * bounds keep consumer-chosen values from growing it: at most 4,096 inputs of
 * at most a name's length, with their digests (a few MiB at worst).
 */
function remembered(digest: (s: string) => string): (s: string) => string {
  const known = new Map<string, string>();
  return (s) => {
    if (s.length > REMEMBERED_INPUT_LENGTH) return digest(s);
    const hit = known.get(s);
    if (hit !== undefined) return hit;
    const d = digest(s);
    if (known.size >= REMEMBERED_DIGESTS) known.clear();
    known.set(s, d);
    return d;
  };
}

const sha1Remembered = remembered((s) => hash('sha1', s, 'hex'));
const sha3Remembered = remembered((s) => hash('sha3-256', s, 'hex'));

/** SHA-1 of `s` as 40 lower-case hex characters (upstream's `crypto.Hash` on a string). */
export function sha1Hex(s: string): string {
  return sha1Remembered(s);
}

/**
 * The first 20 hex characters of {@link sha1Hex}: upstream's legacy
 * `shortHash`, used by the `$remote…Hash` naming placeholders and the Go
 * template function of the same name.
 */
export function shortSha1(s: string): string {
  return sha1Hex(s).slice(0, 20);
}

/** SHA3-256 of `s` as 64 lower-case hex characters (upstream's `sha3sum` template function). */
export function sha3Hex(s: string): string {
  return sha3Remembered(s);
}

/**
 * The first `len` hex characters of {@link sha3Hex} (upstream's `sha3short`
 * template function). A `len` above 64 gives the whole digest, as upstream
 * does.
 *
 * @throws RangeError when `len` is not a positive integer (upstream refuses
 * lengths ≤ 0 too).
 */
export function sha3Short(s: string, len = 20): string {
  if (!Number.isInteger(len) || len <= 0) {
    throw new RangeError(`sha3Short: invalid length ${len}, expected a positive integer`);
  }
  return sha3Hex(s).slice(0, Math.min(len, SHA3_HEX_LENGTH));
}
