import { expect } from 'chai';
import { quoteMeta, Regexp, RegexpSyntaxError } from '../../../src/regexp/regexp.ts';

// Go's behaviour in general is proven by the Go-generated vectors (template.test.ts and
// mutation.test.ts replay them); these cases pin what this module adds on top of re2js.

describe('Go regular expressions (re2js)', function () {
  const replaceCases: { name: string; pattern: string; input: string; template: string; expected: string }[] = [
    {
      name: 'numbered groups',
      pattern: '(\\w+)@(\\w+)',
      input: 'joe@example',
      template: '$2:$1',
      expected: 'example:joe',
    },
    { name: 'braced group before a letter', pattern: '(a)', input: 'a', template: '${1}x|$1x', expected: 'ax|' },
    {
      name: 'Go named groups',
      pattern: '(?P<k>\\w+)=(?P<v>\\w+)',
      input: 'a=b',
      template: '${v}=${k}',
      expected: 'b=a',
    },
    { name: 'names starting with a digit', pattern: '(?P<1st>x)', input: 'x', template: '<$1st>', expected: '<x>' },
    {
      name: 'dollar escapes and malformed references',
      pattern: 'x',
      input: 'x',
      template: '$$-${-$',
      expected: '$-${-$',
    },
    {
      name: 'a group that did not take part is empty',
      pattern: '(a)|(b)',
      input: 'b',
      template: '[$1|$2]',
      expected: '[|b]',
    },
    {
      name: 'a repeated name is the first group so named that took part',
      pattern: '(?P<n>a)|(?P<n>b)',
      input: 'ab',
      template: '<$n>',
      expected: '<a><b>',
    },
    { name: '\\z is the end of the text', pattern: 'b\\z', input: 'ab', template: 'B', expected: 'aB' },
    { name: 'inline flags anywhere', pattern: 'a(?i)b', input: 'aB ab AB', template: '_', expected: '_ _ AB' },
    {
      name: 'empty matches after a match are skipped',
      pattern: 'a*',
      input: 'baaac',
      template: '-',
      expected: '-b-c-',
    },
    {
      name: '. does not match \\n but matches \\r',
      pattern: 'a.b',
      input: 'a\rb a\nb',
      template: 'X',
      expected: 'X a\nb',
    },
    { name: '\\s is ASCII only', pattern: '\\s', input: 'a b\u00a0c', template: '_', expected: 'a_b\u00a0c' },
    { name: 'empty matches step over whole characters', pattern: 'x*', input: '😀', template: '-', expected: '-😀-' },
  ];
  for (const c of replaceCases) {
    it(`replaces: ${c.name}`, function () {
      expect(Regexp.compile(c.pattern).replaceAllString(c.input, c.template)).to.equal(c.expected);
    });
  }

  it('replaces literally with replaceAllLiteralString', function () {
    expect(Regexp.compile('(a)').replaceAllLiteralString('bab', '$1$$')).to.equal('b$1$$b');
  });

  it('matches and finds like Go (the leftmost match, "" when there is none)', function () {
    const re = Regexp.compile('[0-9]+');
    expect([re.matchString('abc123def456'), re.findString('abc123def456'), re.findString('abc')]).to.deep.equal([
      true,
      '123',
      '',
    ]);
  });

  it('finds at most n matches (all when n < 0)', function () {
    const re = Regexp.compile('[0-9]+');
    expect([
      re.findAllString('a1b22c333', -1),
      re.findAllString('a1b22c333', 2),
      re.findAllString('a1', 0),
    ]).to.deep.equal([['1', '22', '333'], ['1', '22'], []]);
  });

  it('splits like Go (n limits the parts, an empty input gives one empty part, n = 0 none)', function () {
    expect([
      Regexp.compile(',').split('a,b,c', 2),
      Regexp.compile(',').split('', -1),
      Regexp.compile(',').split('a,b', 0),
      Regexp.compile('').split('abc', -1),
      Regexp.compile('x*').split('axbxc', -1),
    ]).to.deep.equal([['a', 'b,c'], [''], [], ['a', 'b', 'c'], ['a', 'b', 'c']]);
  });

  it('quotes metacharacters like regexp.QuoteMeta', function () {
    expect(quoteMeta('a.b*c[d]$\\')).to.equal('a\\.b\\*c\\[d\\]\\$\\\\');
  });

  it('accepts a name given to two groups, as Go does, but not text that only looks like a group', function () {
    expect(Regexp.compile('(?P<n>a)(?<n>b)').replaceAllString('ab', '$n')).to.equal('a');
    expect(Regexp.compile('[(?P<n>]+(?P<n>b)').findString('<n>b')).to.equal('<n>b');
    expect(Regexp.compile('\\Q(?P<n>\\E(?P<n>b)').findString('(?P<n>b')).to.equal('(?P<n>b');
  });

  const refused: { name: string; pattern: string; message: string }[] = [
    { name: 'backreferences', pattern: '(a)\\1', message: 'invalid escape sequence: `\\1`' },
    { name: 'lookahead', pattern: 'a(?=b)', message: 'invalid or unsupported Perl syntax: `(?=`' },
    { name: 'nested repetition', pattern: 'a**', message: 'invalid nested repetition operator: `**`' },
    { name: 'repeat counts above 1000', pattern: 'a{1001}', message: 'invalid repeat count: `{1001}`' },
    { name: 'unknown escapes', pattern: '\\y', message: 'invalid escape sequence: `\\y`' },
    {
      name: "a trailing backslash (with Go's empty text)",
      pattern: 'a\\',
      message: 'trailing backslash at end of expression: ``',
    },
    {
      name: 'deep nesting (quoting the whole pattern)',
      pattern: '('.repeat(1001) + ')'.repeat(1001),
      message: `expression nests too deeply: \`${'('.repeat(1001)}`,
    },
    {
      name: 'a bad pattern with a repeated name (quoting it as written)',
      pattern: '(?P<n>a)(?P<n>b',
      message: 'missing closing ): `(?P<n>a)(?P<n>b`',
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}, with Go's message`, function () {
      expect(() => Regexp.compile(c.pattern)).to.throw(RegexpSyntaxError, `error parsing regexp: ${c.message}`);
    });
  }

  // A backtracking engine takes exponential (for `(.*a){20}`, degree-20 polynomial) time to
  // give up on these values: it tries every way to split them. RE2 is linear: re2js's DFA
  // answers in milliseconds. The values that do match run its slower NFA, to find the groups
  // (`(.*a){20}` on a matching 100 kB value takes a few hundred milliseconds there, and
  // Go ~65 ms). The bound is far above what this takes, for a loaded machine.
  const catastrophic: { pattern: string; value: string; shape: string }[] = [
    { pattern: '(a+)+$', value: 'a'.repeat(100_000) + '!', shape: 'a failing' },
    { pattern: '(a|aa)+$', value: 'a'.repeat(100_000) + '!', shape: 'a failing' },
    { pattern: '(.*a){20}', value: ('a' + 'b'.repeat(5_260)).repeat(19), shape: 'a failing' },
    { pattern: '(a+)+$', value: 'a'.repeat(100_000), shape: 'a matching' },
    { pattern: '(a|aa)+$', value: 'a'.repeat(100_000), shape: 'a matching' },
  ];
  const operations: [string, (re: Regexp, value: string) => unknown][] = [
    ['matchString', (re, v) => re.matchString(v)],
    ['replaceAllString with groups', (re, v) => re.replaceAllString(v, '<$1>')],
    ['findAllString', (re, v) => re.findAllString(v, -1)],
    ['split', (re, v) => re.split(v, -1)],
  ];
  for (const { pattern, value, shape } of catastrophic) {
    for (const [name, run] of operations) {
      it(`linearity guard: ${name} of ${pattern} on ${shape} 100 kB value takes well under a second`, function () {
        const re = Regexp.compile(pattern);
        const start = performance.now();
        run(re, value);
        expect(performance.now() - start).to.be.below(1000);
      });
    }
  }
});
