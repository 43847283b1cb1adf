/**
 * The table `npm run bench` prints: one row per measurement, ratio and unmeasured target,
 * then what is not built and what failed.
 */
import type { Machine } from './machine.js';
import type { BenchmarkResult, Target, Unit } from './report.js';
import type { Summary } from './stats.js';

/** Formats a value in its unit: bytes as KB, ms and µs with one decimal, ratios with two. */
export function formatValue(value: number, unit: Unit | '×', withUnit = true): string {
  let text: string;
  let suffix: string;
  switch (unit) {
    case 'B':
      text = (value / 1000).toFixed(2);
      suffix = ' KB';
      break;
    case 'ms':
    case 'µs':
      text = value.toFixed(1);
      suffix = ` ${unit}`;
      break;
    case '×':
      text = value.toFixed(2);
      suffix = '×';
      break;
    default:
      text = Math.round(value).toLocaleString('en-US');
      suffix = ` ${unit}`;
  }
  return withUnit ? `${text}${suffix}` : text;
}

function spread(summary: Summary, unit: Unit | '×'): string {
  if (summary.n === 1) return 'n=1';
  const min = formatValue(summary.min, unit, false);
  return `${min}–${formatValue(summary.max, unit)}, n=${summary.n}`;
}

function targetText(target: Target): string {
  return `${target.op === '<=' ? '≤' : '≥'} ${formatValue(target.limit, target.unit)}`;
}

function verdict(target: Target): string {
  if (target.pass === true) return 'pass';
  if (target.pass === false) return 'FAIL';
  return target.note === 'not built' ? 'not built' : 'not judged';
}

/** The table of `results`, as lines. */
export function formatTable(results: BenchmarkResult[], machine: Machine): string {
  const rows: string[][] = [
    ['benchmark', 'figure', 'median', 'spread (min–max, runs)', 'target', 'result'],
  ];
  const footnotes: string[] = [];
  for (const result of results) {
    const targetsOf = (subject: string) => result.targets.filter((t) => t.subject === subject);
    const addRow = (label: string, value: string, spreadText: string, subject: string) => {
      const targets = targetsOf(subject);
      rows.push([
        result.name,
        label,
        value,
        spreadText,
        targets.map(targetText).join('; '),
        targets.map(verdict).join('; '),
      ]);
    };
    for (const m of result.measurements) {
      const label = m.role === 'baseline' ? `${m.label} [baseline]` : m.label;
      addRow(label, formatValue(m.summary.median, m.unit), spread(m.summary, m.unit), m.id);
    }
    for (const r of result.ratios) {
      addRow(r.label, formatValue(r.summary.median, '×'), spread(r.summary, '×'), r.id);
    }
    for (const t of result.targets.filter((t) => t.actual === null)) {
      rows.push([
        result.name,
        t.label,
        result.status === 'error' ? 'error' : 'not built',
        '',
        targetText(t),
        verdict(t),
      ]);
    }
    if (result.status === 'error' && result.targets.every((t) => t.actual !== null)) {
      rows.push([result.name, result.title, 'error', '', '', '']);
    }
    if (result.status !== 'measured') {
      footnotes.push(`  ${result.name}: ${result.status}: ${result.reason ?? ''}`);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  const out = [
    line(rows[0]!),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ];
  if (footnotes.length > 0) out.push('', 'not measured:', ...footnotes);
  const settled = results.filter((r) => r.settled);
  if (settled.length > 0)
    out.push(
      '',
      `CPU idle before each (waited): ${settled
        .map(
          (r) =>
            `${r.name} ${Math.round(r.settled!.idle * 100)}% (${(r.settled!.waitedMs / 1000).toFixed(1)} s)`,
        )
        .join(', ')}`,
    );
  out.push(
    '',
    `machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, Chromium ${machine.chromium ?? 'none'}, ${machine.os}, load average ${machine.loadAverage.join(' ')} at start, ${machine.date}`,
  );
  return out.join('\n');
}
