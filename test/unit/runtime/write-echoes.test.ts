import { expect } from 'chai';
import { WriteEchoes } from '../../../src/runtime/write-echoes.ts';

const answer = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"7"}}';
const line = (type: string, object: string): string => `{"type":"${type}","object":${object}}`;

interface Case {
  name: string;
  /** Answers expected, as [text, resourceVersion]. */
  expected: [string, string][];
  /** Lines offered in order. */
  lines: string[];
  /** What take() answered for each. */
  want: (string | undefined)[];
}

const cases: Case[] = [
  {
    name: 'an update event with the answer as its object is the echo',
    expected: [[answer, '7']],
    lines: [line('MODIFIED', answer)],
    want: ['7'],
  },
  {
    name: 'a create event with the answer as its object is the echo',
    expected: [[answer, '7']],
    lines: [line('ADDED', answer)],
    want: ['7'],
  },
  {
    name: 'an echo is taken once',
    expected: [[answer, '7']],
    lines: [line('MODIFIED', answer), line('MODIFIED', answer)],
    want: ['7', undefined],
  },
  {
    name: 'an object that differs in one character is decoded',
    expected: [[answer, '7']],
    lines: [line('MODIFIED', answer.replace('"a"', '"b"'))],
    want: [undefined],
  },
  {
    name: 'a longer object that starts with the answer is decoded',
    expected: [[answer, '7']],
    lines: [line('MODIFIED', `${answer.slice(0, -1)},"x":1}`)],
    want: [undefined],
  },
  { name: 'a delete is never an echo', expected: [[answer, '7']], lines: [line('DELETED', answer)], want: [undefined] },
  { name: 'nothing is expected', expected: [], lines: [line('MODIFIED', answer)], want: [undefined] },
  {
    name: 'answers of the same length are told apart by their text',
    expected: [
      [answer, '7'],
      [answer.replace('"a"', '"b"'), '8'],
    ],
    lines: [line('MODIFIED', answer.replace('"a"', '"b"')), line('MODIFIED', answer)],
    want: ['8', '7'],
  },
];

describe('WriteEchoes', function () {
  for (const c of cases) {
    it(c.name, function () {
      const echoes = new WriteEchoes();
      for (const [text, rv] of c.expected) echoes.expect(text, rv);
      expect(c.lines.map((l) => echoes.take(l))).to.deep.equal(c.want);
    });
  }

  it('forgets every expected echo when more than 8 Mi characters of answers wait, and never expects a larger one', function () {
    const echoes = new WriteEchoes();
    const big = (rv: string, chars: number): string =>
      `{"metadata":{"resourceVersion":"${rv}"},"data":"${'x'.repeat(chars)}"}`;
    echoes.expect(big('1', 5 * 1024 * 1024), '1');
    echoes.expect(big('2', 5 * 1024 * 1024), '2');
    echoes.expect(big('3', 9 * 1024 * 1024), '3');
    expect(echoes.take(line('MODIFIED', big('1', 5 * 1024 * 1024)))).to.equal(undefined);
    expect(echoes.take(line('MODIFIED', big('3', 9 * 1024 * 1024)))).to.equal(undefined);
    expect(echoes.take(line('MODIFIED', big('2', 5 * 1024 * 1024)))).to.equal('2');
  });

  it('forgets every expected echo when cleared, and when more than 1,024 wait', function () {
    const echoes = new WriteEchoes();
    echoes.expect(answer, '7');
    echoes.clear();
    expect(echoes.take(line('MODIFIED', answer))).to.equal(undefined);
    for (let i = 0; i < 1024; i++) echoes.expect(answer.replace('"7"', `"${String(1000 + i)}"`), String(1000 + i));
    echoes.expect(answer, '7');
    expect(echoes.take(line('MODIFIED', answer.replace('"7"', '"1000"')))).to.equal(undefined);
    expect(echoes.take(line('MODIFIED', answer))).to.equal('7');
  });
});
