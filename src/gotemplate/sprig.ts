/**
 * Sprig v3's TxtFuncMap as the agent offers it. Every sprig name is known
 * to the parser (as in Go, where they all exist), but functions that read
 * the clock, randomness, the environment or the network are refused when
 * called, because templates must render the same name every time; and a
 * few deterministic ones are not implemented (see docs/adr/0001).
 */
import { refused, type TemplateFunction } from './functions.ts';
import { listFunctions } from './sprig-lists.ts';
import { miscFunctions } from './sprig-misc.ts';
import { numericFunctions } from './sprig-numbers.ts';
import { stringFunctions } from './sprig-strings.ts';

/** Sprig functions that are refused because their result is not a function of their input. */
export const NOT_ALLOWED_FUNCTIONS: readonly string[] = [
  'ago',
  'bcrypt',
  'buildCustomCert',
  'date',
  'dateInZone',
  'dateModify',
  'date_in_zone',
  'date_modify',
  'durationRound',
  'encryptAES',
  'env',
  'expandenv',
  'genCA',
  'genCAWithKey',
  'genPrivateKey',
  'genSelfSignedCert',
  'genSelfSignedCertWithKey',
  'genSignedCert',
  'genSignedCertWithKey',
  'getHostByName',
  'htmlDate',
  'htmlDateInZone',
  'htpasswd',
  'mustDateModify',
  'mustToDate',
  'must_date_modify',
  'now',
  'randAlpha',
  'randAlphaNum',
  'randAscii',
  'randBytes',
  'randInt',
  'randNumeric',
  'shuffle',
  'toDate',
  'unixEpoch',
  'uuidv4',
];

/** Deterministic sprig functions this engine does not implement. */
export const NOT_SUPPORTED_FUNCTIONS: readonly string[] = [
  'decryptAES',
  'derivePassword',
  'divf',
  'duration',
  'semver',
  'semverCompare',
  'urlJoin',
  'urlParse',
];

/** Sprig's function map: implemented functions plus refusing stand-ins for the rest. */
export function sprigFunctions(): Map<string, TemplateFunction> {
  const map = new Map<string, TemplateFunction>([
    ...stringFunctions(),
    ...numericFunctions(),
    ...listFunctions(),
    ...miscFunctions(),
  ]);
  for (const name of NOT_ALLOWED_FUNCTIONS) {
    map.set(name, refused(`function ${name} is not allowed: templates must be deterministic`));
  }
  for (const name of NOT_SUPPORTED_FUNCTIONS) map.set(name, refused(`function ${name} is not supported`));
  return map;
}
