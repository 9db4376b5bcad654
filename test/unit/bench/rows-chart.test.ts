import { expect } from 'chai';
import { escapeXml, niceStep, rowsOverTimeSvg } from '../../../bench/rows-chart.ts';

/** A small well-formedness check (no XML parser among the dependencies): every tag closes in
 * order, attribute values are quoted, and text holds no raw '<' or stray '&'. */
function assertWellFormedXml(xml: string): void {
  const open: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/gy;
  let rootsClosed = 0;
  let consumed = 0;
  for (let match = token.exec(xml); match !== null; match = token.exec(xml)) {
    consumed = token.lastIndex;
    const [, closing, name, , selfClosing, text, stray] = match;
    if (stray !== undefined) throw new Error(`malformed tag at ${match.index}`);
    if (text !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`stray & at ${match.index}`);
      if (open.length === 0 && text.trim() !== '') throw new Error('text outside the root');
      continue;
    }
    if (closing === '/') {
      if (open.pop() !== name) throw new Error(`</${name}> closes nothing open`);
      if (open.length === 0) rootsClosed += 1;
    } else if (selfClosing !== '/') {
      if (open.length === 0 && rootsClosed > 0) throw new Error('a second root element');
      open.push(name ?? '');
    }
  }
  if (consumed !== xml.length) throw new Error(`unparsed from ${consumed}`);
  if (open.length > 0) throw new Error(`<${open.join('>, <')}> never closed`);
  if (rootsClosed !== 1) throw new Error('not exactly one root element');
}

const polylinePoints = (svg: string) =>
  [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) =>
    (m[1] ?? '').split(' ').map((pair) => pair.split(',').map(Number)),
  );

describe('the rows-over-time chart', () => {
  const ceiling = [
    { seconds: 0, rows: 0 },
    { seconds: 2.5, rows: 100_000 },
    { seconds: 5, rows: 200_000 },
  ];
  const endToEnd = [
    { seconds: 0, rows: 0 },
    { seconds: 1.6, rows: 0 },
    { seconds: 6, rows: 90_000 },
    { seconds: 12.3, rows: 200_000 },
  ];
  const svg = rowsOverTimeSvg('200,000 events: rows stored over time', [
    { name: 'ceiling', color: '#1f77b4', points: ceiling },
    { name: 'end to end <consumer> & Kafka', color: '#d62728', points: endToEnd },
  ]);

  it('is a well-formed SVG document', () => {
    expect(() => assertWellFormedXml(svg)).not.to.throw();
    expect(svg).to.match(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('the well-formedness check itself rejects broken documents', () => {
    expect(() => assertWellFormedXml('<svg><g></svg>')).to.throw();
    expect(() => assertWellFormedXml('<svg>a & b</svg>')).to.throw(/stray &/);
    expect(() => assertWellFormedXml('<svg x=1></svg>')).to.throw();
    expect(() => assertWellFormedXml('<svg></svg><svg></svg>')).to.throw(/second root/);
  });

  it('draws one line per series through exactly the points given, in order', () => {
    const lines = polylinePoints(svg);
    expect(lines.map((line) => line.length)).to.deep.equal([ceiling.length, endToEnd.length]);
    const [, e2e = []] = lines;
    // Time runs left to right, rows bottom to top: x never decreases, y never increases.
    for (let i = 1; i < e2e.length; i += 1) {
      expect(e2e[i]?.[0]).to.be.at.least(e2e[i - 1]?.[0] ?? Infinity);
      expect(e2e[i]?.[1]).to.be.at.most(e2e[i - 1]?.[1] ?? -Infinity);
    }
    // The same row count lands at the same height in both series.
    expect(lines[0]?.at(-1)?.[1]).to.equal(e2e.at(-1)?.[1]);
    // Everything stays inside the 720 × 400 canvas.
    for (const [x = NaN, y = NaN] of lines.flat()) {
      expect(x).to.be.within(0, 720);
      expect(y).to.be.within(0, 400);
    }
  });

  it('escapes series names and the title', () => {
    expect(svg).to.include('end to end &lt;consumer&gt; &amp; Kafka');
    expect(escapeXml(`"a" & 'b'`)).to.equal('&quot;a&quot; &amp; &apos;b&apos;');
  });

  it('stays well formed with no points at all', () => {
    const empty = rowsOverTimeSvg('nothing', [{ name: 'none', color: '#000', points: [] }]);
    expect(() => assertWellFormedXml(empty)).not.to.throw();
  });

  it('picks round axis steps', () => {
    expect(niceStep(200_000)).to.equal(50_000);
    expect(niceStep(12.3)).to.equal(5);
    expect(niceStep(0)).to.equal(1);
  });
});
