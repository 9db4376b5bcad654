// The bench's picture: rows stored over time, one line per phase, as a hand-written SVG (a few
// polylines and labels need no charting library). Pure: points in, SVG text out.

export interface ChartPoint {
  readonly seconds: number;
  readonly rows: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly ChartPoint[];
}

const width = 720;
const height = 400;
const margin = { left: 80, right: 24, top: 40, bottom: 56 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;

/** Escapes text and attribute values, so a series name cannot break the document. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** A round axis step (1, 2 or 5 × 10^n) giving about `count` ticks up to `max`. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

const format = (value: number) =>
  Math.abs(value) >= 1000 ? `${value / 1000}k` : String(Math.round(value * 100) / 100);

export function rowsOverTimeSvg(title: string, series: readonly ChartSeries[]): string {
  const all = series.flatMap((s) => s.points);
  const maxSeconds = Math.max(0, ...all.map((p) => p.seconds));
  const maxRows = Math.max(0, ...all.map((p) => p.rows));
  const xStep = niceStep(maxSeconds);
  const yStep = niceStep(maxRows);
  const xMax = Math.max(xStep, Math.ceil(maxSeconds / xStep) * xStep);
  const yMax = Math.max(yStep, Math.ceil(maxRows / yStep) * yStep);
  const x = (seconds: number) => (margin.left + (seconds / xMax) * plotWidth).toFixed(1);
  const y = (rows: number) => (margin.top + plotHeight - (rows / yMax) * plotHeight).toFixed(1);

  const lines: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (let s = 0; s <= xMax + xStep / 2; s += xStep) {
    lines.push(
      `<line x1="${x(s)}" y1="${y(0)}" x2="${x(s)}" y2="${y(yMax)}" stroke="#e5e5e5"/>`,
      `<text x="${x(s)}" y="${Number(y(0)) + 18}" text-anchor="middle">${format(s)}</text>`,
    );
  }
  for (let r = 0; r <= yMax + yStep / 2; r += yStep) {
    lines.push(
      `<line x1="${x(0)}" y1="${y(r)}" x2="${x(xMax)}" y2="${y(r)}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 8}" y="${Number(y(r)) + 4}" text-anchor="end">${format(r)}</text>`,
    );
  }
  lines.push(
    `<text x="${margin.left + plotWidth / 2}" y="${height - 14}" text-anchor="middle">seconds from the start of the phase</text>`,
    `<text x="18" y="${margin.top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 18 ${margin.top + plotHeight / 2})">rows stored</text>`,
  );
  series.forEach((s, index) => {
    const points = s.points.map((p) => `${x(p.seconds)},${y(p.rows)}`).join(' ');
    const color = escapeXml(s.color);
    const legendY = margin.top + 16 + index * 18;
    lines.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`,
      `<line x1="${margin.left + 12}" y1="${legendY - 4}" x2="${margin.left + 36}" y2="${legendY - 4}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${margin.left + 42}" y="${legendY}">${escapeXml(s.name)}</text>`,
    );
  });
  lines.push('</svg>');
  return `${lines.join('\n')}\n`;
}
