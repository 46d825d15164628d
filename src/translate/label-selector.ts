/**
 * Label selectors, in both forms Kubernetes uses: the string form of the
 * `labelSelector` query (and our --published-resource-selector flag) and the
 * LabelSelector object of manifests (matchLabels + matchExpressions).
 */

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string | undefined> | undefined;
  matchExpressions?: { key: string; operator: string; values?: string[] | undefined }[] | undefined;
}

const TERM = /^\s*(!?)\s*([A-Za-z0-9._/-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9._-]*)|\s+(in|notin)\s*\(([^)]*)\))?\s*$/;

/** Parses `a=b,c!=d,e in (x,y),!f`. Throws an Error naming the bad term. */
export function parseSelector(text: string): Requirement[] {
  if (text.trim() === '') return [];
  return splitTerms(text).map((term) => {
    const m = TERM.exec(term);
    if (m === null) throw new Error(`invalid label selector term "${term.trim()}"`);
    const [, not, key = '', eq, eqValue = '', set, setValues = ''] = m;
    if (not === '!') {
      if (eq !== undefined || set !== undefined) throw new Error(`invalid label selector term "${term.trim()}"`);
      return { key, operator: 'DoesNotExist', values: [] };
    }
    if (eq !== undefined) return { key, operator: eq === '!=' ? 'NotIn' : 'In', values: [eqValue] };
    if (set !== undefined) {
      const values = setValues
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      return { key, operator: set === 'in' ? 'In' : 'NotIn', values };
    }
    return { key, operator: 'Exists', values: [] };
  });
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/**
 * Converts a LabelSelector object. Throws, as the API server's validation
 * would, on an unknown operator, an invalid key or value, values on
 * Exists/DoesNotExist or none on In/NotIn: a selector Kubernetes would refuse
 * must not quietly select something else.
 */
export function fromLabelSelector(sel: LabelSelector | undefined): Requirement[] {
  if (sel === undefined) return [];
  const reqs: Requirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) =>
    checked({ key, operator: 'In', values: [v ?? ''] }),
  );
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator !== 'In' && e.operator !== 'NotIn' && e.operator !== 'Exists' && e.operator !== 'DoesNotExist') {
      throw new Error(`unknown label selector operator "${e.operator}" for key "${e.key}"`);
    }
    reqs.push(checked({ key: e.key, operator: e.operator, values: e.values ?? [] }));
  }
  return reqs;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
function validKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  return LABEL_NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
}

const validValue = (v: string): boolean => v === '' || LABEL_NAME.test(v);

function checked(r: Requirement): Requirement {
  if (!validKey(r.key)) throw new Error(`invalid label key "${r.key}"`);
  const bad = r.values.find((v) => !validValue(v));
  if (bad !== undefined) throw new Error(`invalid label value "${bad}" for key "${r.key}"`);
  const needsValues = r.operator === 'In' || r.operator === 'NotIn';
  if (needsValues && r.values.length === 0)
    throw new Error(`operator ${r.operator} for key "${r.key}" needs at least one value`);
  if (!needsValues && r.values.length > 0) throw new Error(`operator ${r.operator} for key "${r.key}" takes no values`);
  return r;
}

/** True when labels satisfy every requirement (an empty selector matches everything). */
export function matchesSelector(
  reqs: readonly Requirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const value = l[r.key];
    switch (r.operator) {
      case 'In':
        return has && value !== undefined && r.values.includes(value);
      case 'NotIn':
        return !has || value === undefined || !r.values.includes(value);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
  });
}

/** The query-string form of requirements. */
export function selectorString(reqs: readonly Requirement[]): string {
  return reqs
    .map((r) => {
      switch (r.operator) {
        case 'In':
          return r.values.length === 1 ? `${r.key}=${r.values[0] ?? ''}` : `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return r.values.length === 1 ? `${r.key}!=${r.values[0] ?? ''}` : `${r.key} notin (${r.values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(',');
}
