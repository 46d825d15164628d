import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  NOT_ALLOWED_FUNCTIONS,
  NOT_SUPPORTED_FUNCTIONS,
  TemplateError,
  compileTemplate,
  createGoTemplates,
  fromKubernetesJSON,
  goTemplates,
  type FunctionSet,
} from '../../../src/gotemplate/index.ts';
import { trimSpace } from '../../../src/gotemplate/unicode.ts';

// ---- the Go vectors ------------------------------------------------------------
//
// test/fixtures/vectors/templates.input.json is rendered by Go's own
// text/template + sprig (hack/vectors/templates.sh) into templates.golden.json;
// every case must come out of our engine exactly the same: the same output,
// or an error with the same message (parse errors: we add a column, so the
// column is dropped before comparing).

interface Vector {
  name: string;
  template: string;
  data: unknown;
  funcs?: FunctionSet;
  /** `kubernetes`: whole numbers are int64, as Kubernetes decodes unstructured objects (see fromKubernetesJSON). */
  decode?: 'json' | 'kubernetes';
}

interface Golden {
  name: string;
  output?: string;
  error?: boolean;
  message?: string;
}

const fixture = (file: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/vectors/${file}`, import.meta.url), 'utf8')) as unknown;

const vectors = fixture('templates.input.json') as Vector[];
const golden = fixture('templates.golden.json') as Golden[];

/**
 * Where we knowingly differ from Go, by vector name. `message`: both fail,
 * with different wording. `error`: Go renders, we refuse. `output`: we
 * render this instead.
 */
const KNOWN_DIVERGENCES: Record<string, { kind: 'message' | 'error' | 'output'; reason: string; output?: string }> = {
  'sprig/mustFromJson-error': {
    kind: 'message',
    reason: 'JSON syntax errors are worded by JSON.parse, not encoding/json',
  },
  'edge/complex-literal': { kind: 'error', reason: 'complex number literals are not supported' },
  'k8s/float-literal-in-data': {
    kind: 'output',
    output: '3 int64',
    reason: 'JSON.parse cannot tell 3.0 from 3; the API server never sends 3.0 (Go encodes float64 3 as "3")',
  },
};

/** Go's parse errors carry only a line; ours add the column. */
function withoutColumn(message: string): string {
  return message.replace(/^(template: inline:\d+):\d+:/, '$1:');
}

function render(v: Vector): { output?: string; error?: TemplateError } {
  try {
    const template = compileTemplate(v.template, { functions: v.funcs ?? 'agent' });
    const data = v.decode === 'kubernetes' ? fromKubernetesJSON(v.data) : v.data;
    return { output: trimSpace(template.execute(data)) };
  } catch (err) {
    if (err instanceof TemplateError) return { error: err };
    throw err;
  }
}

describe('Go templates: vectors produced by Go text/template + sprig', function () {
  it('has a golden result for every vector, in the same order', function () {
    expect(golden.map((g) => g.name)).to.deep.equal(vectors.map((v) => v.name));
    expect(vectors.length).to.be.greaterThan(150);
  });

  vectors.forEach((v, i) => {
    it(v.name, function () {
      const want = golden[i];
      if (want === undefined) throw new Error(`no golden result for ${v.name}`);
      checkVector(v, want);
    });
  });
});

/** Asserts that our engine renders `v` as Go did (`want`), allowing the known divergences. */
function checkVector(v: Vector, want: Golden): void {
  const divergence = KNOWN_DIVERGENCES[v.name];
  const got = render(v);
  if (divergence?.kind === 'error') {
    expect(got.error, divergence.reason).to.be.instanceOf(TemplateError);
  } else if (divergence?.kind === 'output') {
    expect(got.output, divergence.reason).to.equal(divergence.output);
  } else if (want.error !== true) {
    expect(got.error?.message, 'unexpected error').to.equal(undefined);
    expect(got.output).to.equal(want.output);
  } else {
    expect(got.error, `Go fails with: ${want.message ?? ''}`).to.be.instanceOf(TemplateError);
    if (divergence?.kind !== 'message') expect(comparableMessage(got.error)).to.equal(want.message);
  }
}

function comparableMessage(error: TemplateError | undefined): string | undefined {
  return error?.kind === 'parse' ? withoutColumn(error.message) : error?.message;
}

// ---- focused tables ------------------------------------------------------------------

describe('Go templates: parse errors', function () {
  const cases: { name: string; template: string; message: string; line: number; column: number }[] = [
    {
      name: 'an unknown function names the function and where it is used',
      template: 'ok\n  {{ frobnicate .x }}',
      message: 'template: inline:2:5: function "frobnicate" not defined',
      line: 2,
      column: 5,
    },
    {
      name: 'an unclosed action reports the line it started on',
      template: 'a\n{{ .x\n\n',
      message: 'template: inline:4:0: unclosed action started at inline:2',
      line: 4,
      column: 0,
    },
    {
      name: 'a missing end is an unexpected EOF',
      template: '{{ if .a }}x',
      message: 'template: inline:1:12: unexpected EOF',
      line: 1,
      column: 12,
    },
    {
      name: 'an undefined variable is caught before running',
      template: '{{ $nope }}',
      message: 'template: inline:1:3: undefined variable "$nope"',
      line: 1,
      column: 3,
    },
    {
      name: "columns are 0-based UTF-8 byte offsets, like Go's execution errors",
      template: 'é {{ nope }}',
      message: 'template: inline:1:6: function "nope" not defined',
      line: 1,
      column: 6,
    },
    {
      name: 'break outside range',
      template: '{{ break }}',
      message: 'template: inline:1:9: {{break}} outside {{range}}',
      line: 1,
      column: 9,
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      let error: unknown;
      try {
        compileTemplate(c.template);
      } catch (err) {
        error = err;
      }
      expect(error).to.be.instanceOf(TemplateError);
      const e = error as TemplateError;
      expect(e.kind).to.equal('parse');
      expect(e.message).to.equal(c.message);
      expect(e.position).to.deep.equal({ line: c.line, column: c.column });
    });
  }
});

describe('Go templates: functions that are refused', function () {
  const cases: { name: string; template: string; message: RegExp }[] = [
    {
      name: 'now reads the clock',
      template: '{{ now }}',
      message: /function now is not allowed: templates must be deterministic$/,
    },
    { name: 'randAlpha is random', template: '{{ randAlpha 5 }}', message: /function randAlpha is not allowed/ },
    { name: 'uuidv4 is random', template: '{{ uuidv4 }}', message: /function uuidv4 is not allowed/ },
    { name: 'env reads the environment', template: '{{ env "HOME" }}', message: /function env is not allowed/ },
    {
      name: 'a piped call is refused too',
      template: '{{ "x" | shuffle }}',
      message: /function shuffle is not allowed/,
    },
    {
      name: 'semver is not implemented',
      template: '{{ semver "1.2.3" }}',
      message: /function semver is not supported$/,
    },
    {
      name: 'urlParse is not implemented',
      template: '{{ urlParse "http://x" }}',
      message: /function urlParse is not supported$/,
    },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(() => compileTemplate(c.template).execute({})).to.throw(TemplateError, c.message);
    });
  }

  it('lists every refused function as known to the parser (a template using them still parses)', function () {
    for (const name of [...NOT_ALLOWED_FUNCTIONS, ...NOT_SUPPORTED_FUNCTIONS]) {
      expect(() => compileTemplate(`{{ if false }}{{ ${name} }}{{ end }}`), name).not.to.throw();
    }
  });
});

describe('Go templates: API', function () {
  it('goTemplates trims the output like upstream and renders the default naming rule', function () {
    const data = {
      Object: { metadata: { name: 'objname', namespace: 'objnamespace' } },
      ClusterName: 'c',
      ClusterPath: '',
    };
    expect(goTemplates.render('  {{ .ClusterName }}\n', data)).to.equal('c');
    expect(
      goTemplates.render('{{ .Object.metadata.namespace | sha3short }}-{{ .Object.metadata.name | sha3short }}', data),
    ).to.equal('2928c2aa0e510f017f07-73d08a1ba188f1340dae');
  });

  it('a renderer compiles each source once and reuses it', function () {
    const renderer = createGoTemplates();
    expect(renderer.render('{{ .a }}', { a: 1 })).to.equal('1');
    expect(renderer.render('{{ .a }}', { a: 2 })).to.equal('2');
  });

  it('a compiled template can run many times against different data', function () {
    const t = compileTemplate('{{ .x | upper }}');
    expect(t.execute({ x: 'a' })).to.equal('A');
    expect(t.execute({ x: 'b' })).to.equal('B');
  });

  it("the sprig function set (template mutations) has no agent extras and uses sprig's join", function () {
    expect(() => compileTemplate('{{ sha3short "x" }}', { functions: 'sprig' })).to.throw(TemplateError, /not defined/);
    expect(compileTemplate('{{ list "a" "b" | join "," }}', { functions: 'sprig' }).execute({})).to.equal('a,b');
  });

  it('exec errors carry the position of the failing node', function () {
    let error: unknown;
    try {
      compileTemplate('a\n  {{ index .l 5 }}').execute({ l: [] });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(TemplateError);
    expect((error as TemplateError).kind).to.equal('exec');
    expect((error as TemplateError).position).to.deep.equal({ line: 2, column: 5 });
  });

  it('class instances act as Go structs: methods are called, unknown fields fail', function () {
    class Value {
      readonly raw: string;
      constructor(raw: string) {
        this.raw = raw;
      }

      String(): string {
        return this.raw;
      }
    }
    const t = compileTemplate('{{ .Value.String | upper }}/{{ .Value }}/{{ .Value.raw }}');
    expect(t.execute({ Value: new Value('abc') })).to.equal('ABC/abc/abc');
    expect(() => compileTemplate('{{ .Value.Nope }}').execute({ Value: new Value('x') })).to.throw(
      TemplateError,
      /can't evaluate field Nope in type Value/,
    );
  });

  it('stops runaway recursion and absurd nesting with a TemplateError', function () {
    expect(() =>
      compileTemplate('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}').execute({}),
    ).to.throw(TemplateError, /exceeded maximum template depth \(1000\)/);
    expect(() => compileTemplate('{{ if true }}'.repeat(20000) + '{{ end }}'.repeat(20000))).to.throw(
      TemplateError,
      /nested too deeply/,
    );
  });

  it("goTemplates types whole numbers as int64, like Kubernetes' decoder does for upstream", function () {
    const data = { Object: { spec: { replicas: 3, memory: 1073741824, cpu: 1.5 } } };
    expect(
      goTemplates.render('{{ .Object.spec.memory }} {{ eq .Object.spec.replicas 3 }} {{ .Object.spec.cpu }}', data),
    ).to.equal('1073741824 true 1.5');
  });

  it("goTemplates renders a copy: set/unset in a template do not reach the caller's object", function () {
    const data = { Object: { metadata: { labels: { a: 'b' } } } };
    expect(
      goTemplates.render('{{ $_ := set .Object.metadata.labels "x" "y" }}{{ .Object.metadata.labels }}', data),
    ).to.equal('map[a:b x:y]');
    expect(data.Object.metadata.labels).to.deep.equal({ a: 'b' });
  });

  it('does not modify data unless the template asks for it with set/unset', function () {
    const data = { m: { a: 1 }, l: [3, 1, 2] };
    const before = structuredClone(data);
    compileTemplate('{{ sortAlpha .l }}{{ toJson .m }}{{ append .l 4 }}{{ merge (dict) .m }}').execute(data);
    expect(data).to.deep.equal(before);
  });
});
