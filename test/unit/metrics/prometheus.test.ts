import {
  EXPOSITION_CONTENT_TYPE,
  escapeLabelValue,
  formatValue,
  renderExposition,
  type MetricFamily,
} from '../../../src/metrics/prometheus';

describe('the Prometheus text exposition writer', () => {
  test('writes HELP and TYPE before each family, then one line per sample, ending in a newline', () => {
    const families: MetricFamily[] = [
      {
        name: 'refinery_workflow_runs_started_total',
        help: 'Workflow runs started, by workflow type.',
        type: 'counter',
        samples: [
          { labels: { type: 'eval' }, value: 3 },
          { labels: { type: 'tune' }, value: 12 },
        ],
      },
      { name: 'refinery_up', help: 'Always 1.', type: 'gauge', samples: [{ value: 1 }] },
    ];
    expect(renderExposition(families)).toBe(
      [
        '# HELP refinery_workflow_runs_started_total Workflow runs started, by workflow type.',
        '# TYPE refinery_workflow_runs_started_total counter',
        'refinery_workflow_runs_started_total{type="eval"} 3',
        'refinery_workflow_runs_started_total{type="tune"} 12',
        '# HELP refinery_up Always 1.',
        '# TYPE refinery_up gauge',
        'refinery_up 1',
        '',
      ].join('\n'),
    );
    expect(EXPOSITION_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  test('escapes backslash, double quote and newline in label values, and backslash and newline in HELP', () => {
    expect(escapeLabelValue('C:\\skills\\"new"\nline')).toBe('C:\\\\skills\\\\\\"new\\"\\nline');
    const text = renderExposition([
      {
        name: 'refinery_prompt_runs_total',
        help: 'Runs of "each" prompt\nby name (a\\b).',
        type: 'counter',
        samples: [{ labels: { name: 'say "hi"\\\n' }, value: 2 }],
      },
    ]);
    const lines = text.split('\n');
    // HELP keeps quotes as they are; only backslash and newline change.
    expect(lines[0]).toBe('# HELP refinery_prompt_runs_total Runs of "each" prompt\\nby name (a\\\\b).');
    expect(lines[2]).toBe('refinery_prompt_runs_total{name="say \\"hi\\"\\\\\\n"} 2');
    expect(lines).toHaveLength(4); // HELP, TYPE, sample, and the final empty string after the last newline
  });

  test('spells the special values as Prometheus reads them, and decimals as JavaScript writes them', () => {
    expect([NaN, Infinity, -Infinity, 0, -0, 0.0135, 2500, 1e21].map(formatValue)).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '0',
      '0',
      '0.0135',
      '2500',
      '1e+21',
    ]);
  });

  test('a family with no samples keeps its HELP and TYPE; nothing at all is an empty body', () => {
    expect(renderExposition([{ name: 'refinery_alerts', help: 'Alerts.', type: 'gauge', samples: [] }])).toBe(
      '# HELP refinery_alerts Alerts.\n# TYPE refinery_alerts gauge\n',
    );
    expect(renderExposition([])).toBe('');
  });

  test('refuses what Prometheus would reject: bad names, reserved labels, a family or a series twice', () => {
    const f = (over: Partial<MetricFamily>): MetricFamily => ({
      name: 'refinery_x',
      help: 'x',
      type: 'gauge',
      samples: [],
      ...over,
    });
    expect(() => renderExposition([f({ name: 'refinery-x' })])).toThrow('"refinery-x" is not a valid metric name');
    expect(() => renderExposition([f({ name: '1x' })])).toThrow('not a valid metric name');
    expect(() => renderExposition([f({ samples: [{ labels: { 'skill-name': 'a' }, value: 1 }] })])).toThrow(
      '"skill-name" is not a valid label name',
    );
    expect(() => renderExposition([f({ samples: [{ labels: { __name__: 'a' }, value: 1 }] })])).toThrow(
      'not a valid label name',
    );
    expect(() => renderExposition([f({}), f({})])).toThrow('metric refinery_x is written twice');
    expect(() =>
      renderExposition([
        f({
          samples: [
            { labels: { skill: 'a' }, value: 1 },
            { labels: { skill: 'a' }, value: 2 },
          ],
        }),
      ]),
    ).toThrow('has the series {skill="a"} twice');
  });
});
