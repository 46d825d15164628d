import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { compareCodePoints, formatFloatF, formatFloatG, goMarshal } from '../../../src/gjson/go-json.ts';
import { getPath, getResult } from '../../../src/gjson/json-path.ts';
import { JsonPathError, compileGlob, compileJsonPath } from '../../../src/gjson/json-path-syntax.ts';
import { deletePath, setPath } from '../../../src/gjson/json-path-write.ts';

/** One case of test/fixtures/vectors/mutations.input.json. */
export interface Vector {
  name: string;
  kind: 'get' | 'set' | 'delete' | 'regex' | 'cel';
  path: string;
  value?: unknown;
  pattern?: string;
  replacement?: string;
  expression?: string;
  object: Record<string, unknown>;
  other?: Record<string, unknown>;
}

/** Its answer in mutations.golden.json, produced by the real Go libraries. */
export interface Golden {
  name: string;
  result?: unknown;
  error?: boolean;
  message?: string;
}

interface GetAnswer {
  exists: boolean;
  type: string;
  raw: string;
  string: string;
  value: unknown;
  int: number;
  float: string | null;
  bool: boolean;
}

const FIXTURES = new URL('../../fixtures/vectors/', import.meta.url);

/** The vectors paired with their golden answers, checked to line up. */
export function loadVectors(): { vector: Vector; golden: Golden }[] {
  const vectors = JSON.parse(readFileSync(new URL('mutations.input.json', FIXTURES), 'utf8')) as Vector[];
  const goldens = JSON.parse(readFileSync(new URL('mutations.golden.json', FIXTURES), 'utf8')) as Golden[];
  const byName = new Map(goldens.map((g) => [g.name, g]));
  return vectors.map((vector) => {
    const golden = byName.get(vector.name);
    if (golden === undefined) throw new Error(`no golden answer for "${vector.name}"; run hack/vectors/mutations.sh`);
    return { vector, golden };
  });
}

function attempt(fn: () => unknown): { result?: unknown; error?: unknown } {
  try {
    return { result: fn() };
  } catch (error) {
    return { error };
  }
}

describe('json-path', function () {
  describe('vectors from gjson/sjson', function () {
    const all = loadVectors();
    it('has vectors for every kind', function () {
      for (const kind of ['get', 'set', 'delete'])
        expect(
          all.some((c) => c.vector.kind === kind),
          kind,
        ).to.equal(true);
    });

    for (const { vector, golden } of all.filter((c) => c.vector.kind === 'get')) {
      it(vector.name, function () {
        const input = structuredClone(vector.object);
        const res = getResult(vector.object, vector.path);
        const want = golden.result as GetAnswer;
        expect({
          exists: res.exists,
          type: res.type,
          raw: res.raw,
          string: res.string(),
          value: res.value,
          int: res.int(),
          bool: res.bool(),
        }).to.deep.equal({
          exists: want.exists,
          type: want.type,
          raw: want.raw,
          string: want.string,
          value: want.value,
          int: want.int,
          bool: want.bool,
        });
        if (want.float !== null) expect(res.float()).to.equal(Number(want.float));
        expect(vector.object, 'input unchanged').to.deep.equal(input);
      });
    }

    for (const { vector, golden } of all.filter((c) => c.vector.kind === 'set' || c.vector.kind === 'delete')) {
      it(vector.name, function () {
        const input = structuredClone(vector.object);
        const got = attempt(() =>
          vector.kind === 'set'
            ? setPath(vector.object, vector.path, vector.value)
            : deletePath(vector.object, vector.path),
        );
        if (golden.error === true) {
          expect(got.error, `Go failed with: ${golden.message ?? ''}`).to.be.instanceOf(JsonPathError);
        } else {
          expect(got.error).to.equal(undefined);
          expect(got.result).to.deep.equal(golden.result);
        }
        expect(vector.object, 'input unchanged').to.deep.equal(input);
      });
    }
  });

  describe('compileJsonPath', function () {
    const cases: { name: string; path: string; error: RegExp }[] = [
      { name: 'empty path', path: '', error: /path cannot be empty/ },
      { name: 'JSON lines', path: '..0', error: /JSON-lines/ },
      { name: 'literal', path: '!true', error: /literal/ },
      { name: 'pipe', path: 'spec|name', error: /pipes/ },
      { name: 'modifier at the start', path: '@reverse', error: /modifiers/ },
      { name: 'modifier after a dot', path: 'spec.tags.@reverse', error: /modifiers/ },
      { name: 'modifier with an argument', path: 'spec.@join:{"preserve":true}', error: /modifiers/ },
      { name: 'multipath array', path: '[spec.a,spec.b]', error: /multipaths/ },
      { name: 'multipath object after a dot', path: 'spec.{a,b}', error: /multipaths/ },
      { name: 'unterminated query', path: 'spec.items.#(name=="a"', error: /unterminated query/ },
      { name: 'text after a query', path: 'spec.items.#(name=="a")x', error: /after a query/ },
    ];
    for (const c of cases) {
      it(`rejects ${c.name}`, function () {
        expect(() => compileJsonPath(c.path)).to.throw(JsonPathError, c.error);
      });
    }

    it('linearity guard: glob queries and keys with *a*a*a*a*b on 100 kB values take well under a second', function () {
      const long = 'a'.repeat(100_000);
      const doc = { spec: { tags: [long, `${long}b`], obj: { [long]: 1, [`${long}b`]: 2 } } };
      const start = performance.now();
      const matches = [
        getPath(doc, 'spec.tags.#(%"*a*a*a*a*b")#').value,
        getPath(doc, 'spec.tags.#(!%"*a*a*a*a*b")#').value,
        getPath(doc, 'spec.obj.*a*a*a*a*b').value,
      ];
      expect(performance.now() - start).to.be.below(1000);
      expect(matches).to.deep.equal([[`${long}b`], [long], 2]);
    });

    it('reads a trailing lone backslash in a glob as tidwall/match does (literal after a star, else no match)', function () {
      expect([
        compileGlob('*\\').test('a\\'),
        compileGlob('*\\').test('a'),
        compileGlob('a\\').test('a\\'),
        compileGlob('a\\').test('a'),
      ]).to.deep.equal([true, false, false, false]);
    });

    it('treats an @key that is not a modifier as a key', function () {
      expect(getPath({ spec: { '@type': 'x' } }, 'spec.@type')).to.deep.equal({ exists: true, value: 'x' });
    });

    it('accepts a compiled path wherever a string is accepted', function () {
      const path = compileJsonPath('spec.a');
      const doc = setPath({}, path, 1);
      expect(doc).to.deep.equal({ spec: { a: 1 } });
      expect(getPath(doc, path)).to.deep.equal({ exists: true, value: 1 });
      expect(deletePath(doc, path)).to.deep.equal({ spec: {} });
    });
  });

  describe('writes', function () {
    it('returns the input itself when nothing changes', function () {
      const doc = { spec: { a: 1 } };
      expect(deletePath(doc, 'spec.b')).to.equal(doc);
      expect(setPath(doc, 'spec.nomatch*', 2)).to.equal(doc);
    });

    it('shares untouched subtrees and never modifies the input', function () {
      const doc = { spec: { a: { deep: [1] } }, status: { b: 1 } };
      const out = setPath(doc, 'spec.c', 2) as typeof doc;
      expect(out.status).to.equal(doc.status);
      expect(doc.spec).to.deep.equal({ a: { deep: [1] } });
    });

    it('writes __proto__ as an ordinary key', function () {
      const out = setPath({}, '__proto__.polluted', 1) as Record<string, unknown>;
      expect(Object.hasOwn(out, '__proto__')).to.equal(true);
      expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    });

    it('refuses to pad arrays without bound', function () {
      expect(() => setPath({ a: [] }, 'a.100000000', 1)).to.throw(JsonPathError, /refusing to pad/);
    });

    it('treats undefined fields as absent', function () {
      expect(getPath({ a: undefined }, 'a').exists).to.equal(false);
      expect(setPath({ a: undefined, b: 1 }, 'a', 2)).to.deep.equal({ a: 2, b: 1 });
    });
  });

  describe('Go formatting', function () {
    it('marshals like encoding/json', function () {
      expect(goMarshal({ b: [1, 'x<y>&z', null], a: true, '\u00e9': 1e21, '😀': 1, '\uffff': 2 })).to.equal(
        '{"a":true,"b":[1,"x\\u003cy\\u003e\\u0026z",null],"é":1e+21,"\uffff":2,"😀":1}',
      );
      expect(goMarshal('\b\f\n\r\t\u0001\u007f\u2028')).to.equal('"\\b\\f\\n\\r\\t\\u0001\u007f\\u2028"');
      expect(goMarshal('\ud800')).to.equal('"\\ufffd"');
      expect(() => goMarshal(Number.NaN)).to.throw(/unsupported value/);
    });

    it('orders keys by code point', function () {
      expect(['\uffff', '😀', 'a'].sort(compareCodePoints)).to.deep.equal(['a', '\uffff', '😀']);
    });

    it("formats floats like strconv.FormatFloat(f, 'f', -1, 64)", function () {
      const cases: [number, string][] = [
        [0, '0'],
        [-0, '-0'],
        [1.5, '1.5'],
        [1e21, '1000000000000000000000'],
        [1e-7, '0.0000001'],
        [-1.25e-10, '-0.000000000125'],
        [123456789012, '123456789012'],
        [0.1 + 0.2, '0.30000000000000004'],
        [Number.NaN, 'NaN'],
        [Infinity, '+Inf'],
        [-Infinity, '-Inf'],
      ];
      for (const [x, want] of cases) expect(formatFloatF(x), String(x)).to.equal(want);
    });

    it("formats floats like strconv.FormatFloat(f, 'g', -1, 64)", function () {
      const cases: [number, string][] = [
        [0, '0'],
        [-0, '-0'],
        [1.5, '1.5'],
        [123456, '123456'],
        [1234567, '1.234567e+06'],
        [1e21, '1e+21'],
        [0.0001, '0.0001'],
        [0.00001, '1e-05'],
        [-2.5e-300, '-2.5e-300'],
        [Infinity, '+Inf'],
      ];
      for (const [x, want] of cases) expect(formatFloatG(x), String(x)).to.equal(want);
    });
  });
});
