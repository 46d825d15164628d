import { expect } from 'chai';
import type { ResourceMutation } from '../../../src/apis/v1alpha1/published-resource.ts';
import type { KubeObject } from '../../../src/kube/object.ts';
import type { TemplateRenderer } from '../../../src/translate/naming.ts';
import {
  IDENTITY_MUTATOR,
  MutationError,
  TemplateValue,
  compileMutationSpec,
  compileMutations,
  goTrimSpace,
} from '../../../src/translate/mutation/index.ts';
import { type CompiledTemplate, GoInt, compileTemplate, goTemplates } from '../../../src/gotemplate/index.ts';
import { loadVectors, type Golden, type Vector } from '../gjson/json-path.test.ts';

/**
 * Vectors where we knowingly differ from Go, with what we produce instead
 * (see docs/mutations.md). A fix makes the test fail, so the entry goes.
 */
const KNOWN_DIFFERENCES: Record<string, { reason: string; ours: (out: KubeObject) => unknown; expected: unknown }> = {
  'cel: timestamp with offset': {
    reason:
      '@bufbuild/cel keeps timestamps as protobuf Timestamps, which have no time zone: results are written in UTC',
    ours: (out) => (out['spec'] as Record<string, unknown>)['cronSpec'],
    expected: '2024-01-02T02:04:05Z',
  },
};

/** The real engine, wired as the agent wires it for mutations. */
const realTemplates = {
  templates: goTemplates,
  compileTemplate: (source: string): CompiledTemplate => compileTemplate(source, { functions: 'sprig' }),
};

/**
 * A stand-in for the Go-template engine: each known template is a function
 * of the data. Tests of the real engine live with the engine.
 */
const fakeTemplates = (table: Record<string, (data: TemplateData) => string>): TemplateRenderer => ({
  render(template: string, data: unknown): string {
    const fn = table[template];
    if (fn === undefined) throw new Error(`template: mutation:1: unexpected template ${template}`);
    return fn(data as TemplateData);
  },
});

interface TemplateData {
  Value: TemplateValue;
  LocalObject: Record<string, unknown>;
  RemoteObject: Record<string, unknown>;
}

const noTemplates = fakeTemplates({});

const obj = (spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'kcp.example.com/v1',
  kind: 'CronTab',
  metadata: { name: 'my-crontab', namespace: 'default' },
  spec: { image: 'ubuntu:latest', replicas: 3, ...spec },
  ...extra,
});

function ruleFor(vector: Vector): ResourceMutation {
  if (vector.kind === 'regex') {
    return { regex: { path: vector.path, pattern: vector.pattern ?? '', replacement: vector.replacement ?? '' } };
  }
  return { cel: { path: vector.path, expression: vector.expression ?? '' } };
}

/** Which Go failures must already fail compileMutations (the rest fail in apply). */
function failsAtCompileTime(golden: Golden): boolean {
  return /^(compile|program): |^invalid pattern/.test(golden.message ?? '');
}

describe('mutations', function () {
  describe('vectors from Go (regexp, cel-go, gjson, sjson)', function () {
    const cases = loadVectors().filter((c) => c.vector.kind === 'regex' || c.vector.kind === 'cel');
    it('has regex and cel vectors', function () {
      expect(cases.filter((c) => c.vector.kind === 'regex')).to.have.length.above(20);
      expect(cases.filter((c) => c.vector.kind === 'cel')).to.have.length.above(60);
    });

    for (const { vector, golden } of cases) {
      it(vector.name, function () {
        const input = structuredClone(vector.object) as KubeObject;
        const other = vector.other as KubeObject | undefined;
        const compile = (): ReturnType<typeof compileMutations> =>
          compileMutations([ruleFor(vector)], { templates: noTemplates });
        if (golden.error === true && failsAtCompileTime(golden)) {
          expect(compile, `Go: ${golden.message ?? ''}`).to.throw(MutationError);
          return;
        }
        const mutator = compile();
        const known = KNOWN_DIFFERENCES[vector.name];
        if (known !== undefined) {
          expect(known.ours(mutator.apply(input, other)), known.reason).to.deep.equal(known.expected);
          return;
        }
        if (golden.error === true) {
          expect(() => mutator.apply(input, other), `Go: ${golden.message ?? ''}`).to.throw(MutationError);
        } else {
          expect(mutator.apply(input, other)).to.deep.equal(golden.result);
        }
        expect(input, 'input unchanged').to.deep.equal(vector.object);
      });
    }
  });

  describe('compile errors name the field', function () {
    interface Case {
      name: string;
      rules: unknown[];
      field: string;
      message: RegExp;
    }
    const cases: Case[] = [
      {
        name: 'no kind set',
        rules: [{}],
        field: 'spec.mutation.spec[0]',
        message: /exactly one of delete, regex, template, cel must be set/,
      },
      {
        name: 'two kinds set (upstream would use the first)',
        rules: [{ delete: { path: 'a' } }, { delete: { path: 'a' }, cel: { path: 'a', expression: '1' } }],
        field: 'spec.mutation.spec[1]',
        message: /exactly one of/,
      },
      {
        name: 'a rule that is not an object',
        rules: ['delete'],
        field: 'spec.mutation.spec[0]',
        message: /must be an object/,
      },
      {
        name: 'a kind that is not an object',
        rules: [{ regex: 'x' }],
        field: 'spec.mutation.spec[0].regex',
        message: /must be an object/,
      },
      {
        name: 'missing path',
        rules: [{ delete: {} }],
        field: 'spec.mutation.spec[0].delete.path',
        message: /must be a string/,
      },
      {
        name: 'empty path',
        rules: [{ cel: { path: '', expression: '1' } }],
        field: 'spec.mutation.spec[0].cel.path',
        message: /path cannot be empty/,
      },
      {
        name: 'unsupported path syntax',
        rules: [{ regex: { path: 'spec|x', pattern: 'a' } }],
        field: 'spec.mutation.spec[0].regex.path',
        message: /pipes/,
      },
      {
        name: 'deleting through a wildcard',
        rules: [{ delete: { path: 'spec.*' } }],
        field: 'spec.mutation.spec[0].delete.path',
        message: /cannot delete/,
      },
      {
        name: 'bad regex',
        rules: [{ regex: { path: 'spec.image', pattern: '(' } }],
        field: 'spec.mutation.spec[0].regex.pattern',
        message: /invalid pattern "\("/,
      },
      {
        name: 'Perl-only regex',
        rules: [{ regex: { path: 'spec.image', pattern: '(?=a)' } }],
        field: 'spec.mutation.spec[0].regex.pattern',
        message: /invalid pattern/,
      },
      {
        name: 'CEL syntax error',
        rules: [{ cel: { path: 'spec.x', expression: '1 +' } }],
        field: 'spec.mutation.spec[0].cel.expression',
        message: /failed to compile CEL expression/,
      },
      {
        name: 'CEL undeclared variable',
        rules: [{ cel: { path: 'spec.x', expression: 'object.spec' } }],
        field: 'spec.mutation.spec[0].cel.expression',
        message: /undeclared reference to 'object'/,
      },
      {
        name: 'CEL type error',
        rules: [{ cel: { path: 'spec.x', expression: 'size(1)' } }],
        field: 'spec.mutation.spec[0].cel.expression',
        message: /no matching overload for 'size'/,
      },
      {
        name: 'CEL bad has()',
        rules: [{ cel: { path: 'spec.x', expression: 'has(value)' } }],
        field: 'spec.mutation.spec[0].cel.expression',
        message: /failed to compile/,
      },
      {
        name: 'CEL ternary branches of different types',
        rules: [{ cel: { path: 'spec.x', expression: 'true ? 1 : "a"' } }],
        field: 'spec.mutation.spec[0].cel.expression',
        message: /'_\?_:_'/,
      },
      {
        name: 'CEL field of a scalar',
        rules: [{ cel: { path: 'spec.x', expression: '"a".b' } }],
        field: 'spec.mutation.spec[0].cel.expression',
        message: /does not support field selection/,
      },
      {
        name: 'CEL message construction',
        rules: [{ cel: { path: 'spec.x', expression: 'Foo{a: 1}' } }],
        field: 'spec.mutation.spec[0].cel.expression',
        message: /undeclared reference to 'Foo'/,
      },
      {
        name: 'CEL expression missing',
        rules: [{ cel: { path: 'spec.x' } }],
        field: 'spec.mutation.spec[0].cel.expression',
        message: /must be a string/,
      },
      {
        name: 'template missing',
        rules: [{ template: { path: 'spec.x' } }],
        field: 'spec.mutation.spec[0].template.template',
        message: /must be a string/,
      },
      {
        name: 'pattern of the wrong type',
        rules: [{ regex: { path: 'spec.x', pattern: 5 } }],
        field: 'spec.mutation.spec[0].regex.pattern',
        message: /must be a string/,
      },
    ];
    for (const c of cases) {
      it(c.name, function () {
        let caught: unknown;
        try {
          compileMutations(c.rules as ResourceMutation[], { templates: noTemplates });
        } catch (err) {
          caught = err;
        }
        expect(caught).to.be.instanceOf(MutationError);
        const err = caught as MutationError;
        expect(err.field).to.equal(c.field);
        expect(err.message.startsWith(`${c.field}: `), err.message).to.equal(true);
        expect(err.message).to.match(c.message);
      });
    }

    it('names the status direction', function () {
      expect(() =>
        compileMutationSpec({ status: [{ cel: { path: 'status.x', expression: '1 +' } }] }, { templates: noTemplates }),
      )
        .to.throw(MutationError)
        .with.property('field', 'spec.mutation.status[0].cel.expression');
    });

    it('ignores null kinds next to the one that is set', function () {
      const rules = [
        { delete: null, regex: { path: 'spec.image', pattern: '', replacement: 'x' } },
      ] as unknown as ResourceMutation[];
      expect(compileMutations(rules, { templates: noTemplates }).apply(obj(), undefined)).to.have.nested.property(
        'spec.image',
        'x',
      );
    });
  });

  describe('runtime errors name the rule', function () {
    const cases: { name: string; rules: ResourceMutation[]; field: string; message: RegExp }[] = [
      {
        name: 'CEL evaluation error',
        rules: [{ delete: { path: 'spec.x' } }, { cel: { path: 'spec.x', expression: 'self.spec.nope' } }],
        field: 'spec.mutation.spec[1].cel',
        message: /failed to evaluate CEL expression: .*nope/,
      },
      {
        name: 'CEL result JSON cannot hold',
        rules: [{ cel: { path: 'spec.x', expression: '{1: 2}' } }],
        field: 'spec.mutation.spec[0].cel',
        message: /non-string keys/,
      },
      {
        name: 'CEL type value',
        rules: [{ cel: { path: 'spec.x', expression: 'type(1)' } }],
        field: 'spec.mutation.spec[0].cel',
        message: /CEL type int/,
      },
      {
        name: 'write sjson refuses',
        rules: [{ regex: { path: 'spec.tags.foo', pattern: '', replacement: 'x' } }],
        field: 'spec.mutation.spec[0].regex',
        message: /non-numeric key 'foo'/,
      },
      {
        name: 'deleting metadata',
        rules: [{ delete: { path: 'metadata' } }],
        field: 'spec.mutation.spec[0].delete',
        message: /no longer a Kubernetes object/,
      },
      {
        name: 'template failure',
        rules: [{ template: { path: 'spec.x', template: '{{ .Nope }}' } }],
        field: 'spec.mutation.spec[0].template.template',
        message: /failed to execute template/,
      },
    ];
    for (const c of cases) {
      it(c.name, function () {
        const mutator = compileMutations(c.rules, { templates: noTemplates });
        expect(() => mutator.apply(obj({ tags: ['a'] }), undefined))
          .to.throw(MutationError, c.message)
          .with.property('field', c.field);
      });
    }
  });

  describe('the mutator', function () {
    it('is the identity without rules', function () {
      const o = obj();
      for (const rules of [undefined, []]) {
        const m = compileMutations(rules, { templates: noTemplates });
        expect(m).to.equal(IDENTITY_MUTATOR);
        expect(m.isIdentity).to.equal(true);
        expect(m.apply(o, undefined)).to.equal(o);
      }
      const both = compileMutationSpec(undefined, { templates: noTemplates });
      expect(both.spec.isIdentity && both.status.isIdentity).to.equal(true);
    });

    it('applies rules in order, each seeing the previous result, and returns a new object', function () {
      const rules: ResourceMutation[] = [
        { regex: { path: 'spec.image', pattern: ':latest$', replacement: ':1.0' } },
        { cel: { path: 'spec.copy', expression: 'self.spec.image' } },
        { delete: { path: 'spec.replicas' } },
      ];
      const input = obj();
      const snapshot = structuredClone(input);
      const out = compileMutations(rules, { templates: noTemplates }).apply(input, undefined);
      expect(out.spec).to.deep.equal({ image: 'ubuntu:1.0', copy: 'ubuntu:1.0' });
      expect(input).to.deep.equal(snapshot);
      expect(out.metadata).to.not.equal(input.metadata);
    });

    it('linearity guard: a regex rule with (a+)+$ on a 100 kB consumer value takes well under a second', function () {
      const rules: ResourceMutation[] = [{ regex: { path: 'spec.image', pattern: '(a+)+$', replacement: '<$1>' } }];
      const value = 'a'.repeat(100_000) + '!';
      const mutator = compileMutations(rules, { templates: noTemplates });
      const start = performance.now();
      const out = mutator.apply(obj({ image: value }), undefined);
      expect(performance.now() - start).to.be.below(1000);
      expect(out.spec).to.have.property('image', value);
    });

    it('gives CEL the other side in each direction', function () {
      const kcp = obj({}, { status: {} });
      const local = obj({ image: 'local' }, { status: { phase: 'Ready' } });
      const { spec, status } = compileMutationSpec(
        {
          spec: [{ cel: { path: 'spec.seen', expression: 'other == null ? "new" : other.spec.image' } }],
          status: [{ cel: { path: 'status.phase', expression: 'value + "/" + other.spec.image' } }],
        },
        { templates: noTemplates },
      );
      expect(spec.apply(kcp, undefined).spec).to.have.property('seen', 'new');
      expect(spec.apply(kcp, local).spec).to.have.property('seen', 'local');
      expect(status.apply(local, kcp).status).to.deep.equal({ phase: 'Ready/ubuntu:latest' });
    });
  });

  describe('template rules', function () {
    const run = (
      template: string,
      fn: (d: TemplateData) => string,
      o: KubeObject = obj(),
      other?: KubeObject,
    ): KubeObject =>
      compileMutations([{ template: { path: 'spec.image', template } }], {
        templates: fakeTemplates({ [template]: fn }),
      }).apply(o, other);

    it('renders with .Value as gjson.Result and writes the trimmed output as a string', function () {
      const out = run('{{ .Value.String }}', (d) => `  ${d.Value.String()}-x \n`);
      expect(out.spec).to.have.property('image', 'ubuntu:latest-x');
    });

    it('writes numbers as strings', function () {
      const out = compileMutations([{ template: { path: 'spec.replicas', template: 't' } }], {
        templates: fakeTemplates({ t: (d) => String(d.Value.Float() * 2) }),
      }).apply(obj(), undefined);
      expect(out.spec).to.have.property('replicas', '6');
    });

    it('exposes gjson.Result fields and methods', function () {
      let seen: Record<string, unknown> = {};
      run(
        't',
        (d) => {
          const v = d.Value;
          seen = {
            Raw: v.Raw,
            Str: v.Str,
            Num: v.Num,
            Type: v.Type,
            String: v.String(),
            Int: v.Int().value,
            Float: v.Float(),
            Bool: v.Bool(),
            Exists: v.Exists(),
            Value: v.Value(),
            IsArray: v.IsArray(),
            IsObject: v.IsObject(),
            IsBool: v.IsBool(),
          };
          return '';
        },
        obj({ image: '42' }),
      );
      expect(seen).to.deep.equal({
        Raw: '"42"',
        Str: '42',
        Num: 0,
        Type: 'String',
        String: '42',
        Int: 42n,
        Float: 42,
        Bool: false,
        Exists: true,
        Value: '42',
        IsArray: false,
        IsObject: false,
        IsBool: false,
      });
    });

    it('creates a missing value, with .Value not existing', function () {
      const out = compileMutations([{ template: { path: 'spec.missing.deep', template: 't' } }], {
        templates: fakeTemplates({ t: (d) => `${String(d.Value.Exists())}:${d.Value.String()}:${d.Value.Type}` }),
      }).apply(obj(), undefined);
      expect(out.spec).to.have.deep.property('missing', { deep: 'false::Null' });
    });

    it('passes the objects with integers as Go int64 and an empty map for a missing other side', function () {
      let data: TemplateData | undefined;
      run('t', (d) => {
        data = d;
        return 'x';
      });
      expect(data?.LocalObject['spec']).to.have.property('replicas').that.deep.equals(new GoInt('int64', 3n));
      expect(data?.RemoteObject).to.deep.equal({});
      run(
        't',
        (d) => {
          data = d;
          return 'x';
        },
        obj(),
        obj({ ratio: 1.5 }),
      );
      expect(data?.RemoteObject['spec']).to.have.property('ratio', 1.5);
    });

    it('reports a failing template as a MutationError naming the template', function () {
      const m = compileMutations([{ template: { path: 'spec.x', template: 't' } }], {
        templates: fakeTemplates({
          t: () => {
            throw new Error('template: mutation:1: function "nope" not defined');
          },
        }),
      });
      expect(() => m.apply(obj(), undefined))
        .to.throw(MutationError, /function "nope" not defined/)
        .with.property('field', 'spec.mutation.spec[0].template.template');
    });

    describe('with the real engine (expectations from Go text/template + sprig + gjson)', function () {
      const local = obj({ replicas: 1000000, ratio: 1.5, big: 12345678, tags: ['a', 'b'], html: 'a<b>&c' });
      const remote: KubeObject = { metadata: { name: 'remote' }, spec: { image: 'alpine' } };
      const cases: { path: string; template: string; other?: KubeObject; want: string }[] = [
        { path: 'spec.image', template: '{{ .Value.String }}', want: 'ubuntu:latest' },
        { path: 'spec.image', template: '{{ .Value }}', want: 'ubuntu:latest' },
        { path: 'spec.image', template: '{{ .Value.Raw }}', want: '"ubuntu:latest"' },
        {
          path: 'spec.big',
          template: '{{ .Value.Int }}|{{ .Value.Float }}|{{ .Value.Value }}|{{ .Value.Num }}',
          want: '12345678|1.2345678e+07|1.2345678e+07|1.2345678e+07',
        },
        {
          path: 'spec.replicas',
          template: '{{ .LocalObject.spec.replicas }}|{{ .LocalObject.spec.ratio }}',
          want: '1000000|1.5',
        },
        { path: 'spec.image', template: '{{ .RemoteObject.metadata }}', want: '<no value>' },
        { path: 'spec.image', template: '{{ .RemoteObject.metadata.name }}', want: '<no value>' },
        { path: 'spec.image', template: '{{ .LocalObject.nope.deeper }}', want: '<no value>' },
        { path: 'spec.image', template: '{{ .RemoteObject.metadata.name }}', other: remote, want: 'remote' },
        { path: 'spec.image', template: '{{ if .RemoteObject }}yes{{ else }}no{{ end }}', want: 'no' },
        { path: 'spec.image', template: '  {{ upper .Value.String | replace ":" "-" }}  ', want: 'UBUNTU-LATEST' },
        {
          path: 'spec.missing',
          template: '{{ .Value.Exists }}:{{ .Value.Type }}:{{ .Value.Value }}',
          want: 'false:Null:<no value>',
        },
        { path: 'spec.tags', template: '{{ range .Value.Array }}[{{ . }}]{{ end }}', want: '[a][b]' },
        { path: 'spec.tags', template: '{{ .Value.IsArray }} {{ len .Value.Value }}', want: 'true 2' },
        { path: 'spec.html', template: '{{ .Value.String }}', want: 'a<b>&c' },
        {
          path: 'spec.image',
          template: '{{ .LocalObject.metadata.name }}.{{ .LocalObject.metadata.namespace }}',
          want: 'my-crontab.default',
        },
        { path: 'spec.replicas', template: '{{ add .Value.Int 1 }}', want: '1000001' },
        { path: 'spec.replicas', template: '{{ eq .LocalObject.spec.replicas 1000000 }}', want: 'true' },
        { path: 'spec.tags', template: '{{ join "," .Value.Value }}', want: 'a,b' },
      ];
      for (const c of cases) {
        it(`${c.path}: ${c.template}`, function () {
          const out = compileMutations([{ template: { path: c.path, template: c.template } }], realTemplates).apply(
            local,
            c.other,
          );
          expect(out.spec).to.have.property(c.path.slice('spec.'.length), c.want);
        });
      }

      it('rejects a broken template at compile time', function () {
        expect(() => compileMutations([{ template: { path: 'spec.x', template: '{{ .Value' } }], realTemplates))
          .to.throw(MutationError, /failed to parse template/)
          .with.property('field', 'spec.mutation.spec[0].template.template');
      });

      it('can check templates at compile time and render them with the renderer', function () {
        const deps = {
          templates: goTemplates,
          checkTemplate: (source: string): void => {
            compileTemplate(source, { functions: 'sprig' });
          },
        };
        expect(() => compileMutations([{ template: { path: 'spec.x', template: '{{ .Value' } }], deps))
          .to.throw(MutationError, /failed to parse template/)
          .with.property('field', 'spec.mutation.spec[0].template.template');
        const out = compileMutations(
          [{ template: { path: 'spec.image', template: '{{ .Value.String | upper }}' } }],
          deps,
        ).apply(local, undefined);
        expect(out.spec).to.have.property('image', 'UBUNTU:LATEST');
      });

      it('offers sprig only, as upstream does for mutations', function () {
        expect(() =>
          compileMutations([{ template: { path: 'spec.x', template: '{{ sha3sum "a" }}' } }], realTemplates),
        ).to.throw(MutationError, /sha3sum/);
      });

      it('reports execution errors per object', function () {
        const m = compileMutations([{ template: { path: 'spec.x', template: '{{ .Value.Nope }}' } }], realTemplates);
        expect(() => m.apply(local, undefined)).to.throw(
          MutationError,
          /failed to execute template: .*can't evaluate field Nope/,
        );
      });
    });

    it('trims like Go strings.TrimSpace', function () {
      expect(goTrimSpace('\u0085\u00a0\t x \u3000\n')).to.equal('x');
      expect(goTrimSpace('\ufeffx\ufeff')).to.equal('\ufeffx\ufeff');
    });
  });
});
