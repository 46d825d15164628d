// The bench's SVG line chart: round ticks, the scales, where points land, and
// what the drawn text says.
import { expect } from 'chai';
import {
  escapeXml,
  geometry,
  type LineChart,
  lineChartSvg,
  linearScale,
  niceTicks,
  seriesShapes,
} from '../../../bench/svg-plot.ts';

describe('bench plot ticks', function () {
  const cases: { min: number; max: number; count?: number; ticks: number[] }[] = [
    { min: 0, max: 20000, ticks: [0, 5000, 10000, 15000, 20000] },
    { min: 0, max: 20001, ticks: [0, 5000, 10000, 15000, 20000, 25000] },
    { min: 0, max: 380, ticks: [0, 100, 200, 300, 400] },
    { min: 0, max: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] },
    { min: 0, max: 0.3, count: 3, ticks: [0, 0.1, 0.2, 0.3] },
    { min: 0, max: 1000, count: 2, ticks: [0, 500, 1000] },
    { min: 50, max: 50, ticks: [50] },
  ];
  for (const c of cases) {
    it(`[${c.min}, ${c.max}] in about ${c.count ?? 5} steps → ${c.ticks.join(', ')}`, function () {
      expect(niceTicks(c.min, c.max, c.count)).to.deep.equal(c.ticks);
    });
  }
});

describe('bench plot scale', function () {
  const cases: { domain: [number, number]; range: [number, number]; v: number; out: number }[] = [
    { domain: [0, 100], range: [0, 500], v: 50, out: 250 },
    { domain: [0, 100], range: [400, 40], v: 0, out: 400 },
    { domain: [0, 100], range: [400, 40], v: 100, out: 40 },
    { domain: [0, 100], range: [400, 40], v: 25, out: 310 },
    { domain: [5, 5], range: [0, 10], v: 5, out: 0 },
  ];
  for (const c of cases) {
    it(`${c.v} in [${c.domain.join(', ')}] → ${c.out} in [${c.range.join(', ')}]`, function () {
      expect(linearScale(c.domain, c.range)(c.v)).to.equal(c.out);
    });
  }
});

describe('bench plot drawing', function () {
  const chart: LineChart = {
    title: 'RSS <vs> objects',
    xLabel: 'objects',
    yLabel: 'RSS (MiB)',
    width: 760,
    height: 420,
    series: [
      {
        label: 'ours: RSS steady',
        color: '#1f77b4',
        points: [
          { x: 20000, y: 200 },
          { x: 0, y: 100 },
        ],
      },
      { label: 'upstream & co', color: '#d62728', dashed: true, points: [{ x: 10000, y: 400, hollow: true }] },
    ],
    references: [{ label: 'floor: Node alone', y: 50 }],
    note: 'open marker: not finished',
  };

  it('scales from 0 to round values above the largest point, the plot left of the legend', function () {
    const g = geometry(chart);
    expect({ x: g.xTicks, y: g.yTicks, plot: g.plot }).to.deep.equal({
      x: [0, 5000, 10000, 15000, 20000],
      y: [0, 100, 200, 300, 400],
      plot: { left: 70, right: 490, top: 40, bottom: 365 },
    });
  });

  it('puts each series’ points in x order at their scaled positions', function () {
    const g = geometry(chart);
    expect(seriesShapes(chart.series[0]!, g).points).to.equal('70,283.8 490,202.5');
    expect(seriesShapes(chart.series[1]!, g).markers).to.deep.equal([
      '<circle cx="280" cy="40" r="4" stroke="#d62728" stroke-width="2" fill="white"/>',
    ]);
  });

  it('draws the polylines, dashes, reference lines, legend and escaped text', function () {
    const svg = lineChartSvg(chart);
    expect(svg).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="760" height="420"/);
    expect(svg).to.include('<polyline points="70,283.8 490,202.5" fill="none" stroke="#1f77b4" stroke-width="2"/>');
    expect(svg).to.include('stroke="#d62728" stroke-width="2" stroke-dasharray="6 4"/>');
    expect(svg).to.include('<line x1="70" y1="324.4" x2="490" y2="324.4" stroke="#888" stroke-dasharray="2 3"/>');
    expect(svg).to.include('>RSS &lt;vs&gt; objects</text>');
    expect(svg).to.include('>upstream &amp; co</text>');
    expect(svg).to.include('>floor: Node alone</text>');
    expect(svg).to.include('>open marker: not finished</text>');
    expect(svg).to.include('>20,000</text>');
    expect(svg.trimEnd().endsWith('</svg>')).to.equal(true);
  });

  const escapes: { text: string; out: string }[] = [
    { text: 'a < b & c > "d"', out: 'a &lt; b &amp; c &gt; &quot;d&quot;' },
    { text: 'plain', out: 'plain' },
  ];
  for (const c of escapes) {
    it(`escapes ${c.text}`, function () {
      expect(escapeXml(c.text)).to.equal(c.out);
    });
  }
});
