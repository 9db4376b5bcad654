// The PromQL reading behind the metric-names test: metrics found, functions, keywords, labels,
// durations and Grafana variables not taken for metrics.
import { expect } from 'chai';
import { exportedMetricNames, metricNamesIn } from '../../support/promql-names.ts';

describe('metricNamesIn', () => {
  it('finds the metrics of an expression and nothing else', () => {
    const expression = `sum by (partition) (rate(a_total{outcome="stored", reason=~"x(y)"}[5m]))
      / on (instance) group_left max without (le) (b_seconds_bucket offset 15m) > 1e-9
      and absent(c) or vector(0) == bool 0 unless d[$__rate_interval]`;
    expect(metricNamesIn(expression).sort()).to.deep.equal([
      'a_total',
      'b_seconds_bucket',
      'c',
      'd',
    ]);
  });
});

describe('exportedMetricNames', () => {
  it("names a histogram's series and every typed metric", () => {
    const text = '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 0\n# TYPE c_total counter\n';
    expect([...exportedMetricNames(text)].sort()).to.deep.equal([
      'c_total',
      'h',
      'h_bucket',
      'h_count',
      'h_sum',
    ]);
  });
});
