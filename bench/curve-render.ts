// Renders a memory-curve result again from its JSON, e.g. after the table's
// format changed: node bench/curve-render.ts <run>-curve.json [--svg out.svg]
// prints the Markdown and writes the plot.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { curveChart, curveMarkdown, type CurveReport } from './curve-report.ts';
import { lineChartSvg } from './svg-plot.ts';

const { values, positionals } = parseArgs({ options: { svg: { type: 'string' } }, allowPositionals: true });
const [file] = positionals;
if (file === undefined) {
  console.error('usage: node bench/curve-render.ts <run>-curve.json [--svg out.svg]');
  process.exit(2);
}
// The bench wrote this file itself (bench/curve.ts), so its shape is CurveReport.
const report = JSON.parse(readFileSync(file, 'utf8')) as CurveReport;
console.log(curveMarkdown(report));
if (values.svg !== undefined) writeFileSync(values.svg, lineChartSvg(curveChart(report)));
