// The dashboard and the alert rules read only metrics a running consumer exports: a renamed
// metric would leave a panel empty and an alert silent, and neither says so.
import { expect } from 'chai';
import { createIngestMetrics } from '../../../src/apps/consumer/ingest-metrics.ts';
import { startOpsServer, type OpsServer } from '../../../src/apps/consumer/ops-server.ts';
import { generateOldEvent } from '../../../src/apps/producer/generate-event.ts';
import { readRepoFile, readYamlDocuments } from '../../support/deploy-files.ts';
import { createPipelineHarness, type PipelineHarness } from '../../support/pipeline-harness.ts';
import { exportedMetricNames, metricNamesIn } from '../../support/promql-names.ts';

interface AlertRules {
  groups: { rules: { alert: string; expr: string }[] }[];
}
interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

async function expressionsInUse(): Promise<Map<string, string>> {
  const byPlace = new Map<string, string>();
  const [rules] = (await readYamlDocuments('deploy/prometheus/alerts.yml')) as AlertRules[];
  for (const rule of rules?.groups.flatMap((group) => group.rules) ?? [])
    byPlace.set(`alert ${rule.alert}`, rule.expr);
  const dashboard = JSON.parse(await readRepoFile('deploy/grafana/dashboard.json')) as Dashboard;
  for (const panel of dashboard.panels)
    panel.targets.forEach((target, index) =>
      byPlace.set(`panel ${panel.title} #${index}`, target.expr),
    );
  return byPlace;
}

describe('the dashboard and the alert rules', function () {
  this.timeout(120_000);
  let harness: PipelineHarness;
  let server: OpsServer | undefined;

  beforeEach(async () => {
    harness = await createPipelineHarness();
  });
  afterEach(async () => {
    await server?.close();
    await harness.close();
  });

  it("read only metric names a running consumer's /metrics exports", async () => {
    const metrics = createIngestMetrics(harness.db);
    const consumer = await harness.startConsumer(undefined, metrics);
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      db: harness.db,
      status: consumer.status,
      metrics,
    });
    await harness.produceEvents([generateOldEvent()]);
    await harness.waitForRows(1);
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    const text = await response.text();
    const exported = exportedMetricNames(text);
    expect(exported).to.include('product_events_consumed_total');

    const expressions = await expressionsInUse();
    expect(expressions.size, 'expressions read').to.be.at.least(15);
    const unknown = [...expressions].flatMap(([place, expression]) =>
      metricNamesIn(expression)
        .filter((name) => !exported.has(name))
        .map((name) => `${place}: ${name}`),
    );
    expect(unknown).to.deep.equal([]);
    // Every metric of the consumer's own is on the dashboard or in an alert.
    const used = new Set([...expressions.values()].flatMap(metricNamesIn));
    const unwatched = [...text.matchAll(/^# TYPE (product_events_\S+)/gm)]
      .map(([, name = '']) => name)
      .filter((name) => !['', '_bucket', '_sum', '_count'].some((end) => used.has(name + end)));
    expect(unwatched).to.deep.equal([]);
  });
});
