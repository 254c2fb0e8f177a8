import type { AttributeValue, OtlpSpan } from '../../../src/otlp/decode';
import { BadSpanError, runsFromSpans } from '../../../src/otlp/genai-runs';

const T = 'a'.repeat(32);
let n = 0;
function span(attributes: Record<string, AttributeValue>, extra: Partial<OtlpSpan> = {}): OtlpSpan {
  const start = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
  return {
    path: `spans[${n}]`,
    traceId: T,
    spanId: (++n).toString(16).padStart(16, '0'),
    parentSpanId: undefined,
    name: 'x',
    startNs: start,
    endNs: start + 1_500_000_000n,
    attributes: new Map(Object.entries(attributes)),
    statusCode: 0,
    statusMessage: undefined,
    ...extra,
  };
}

describe('runsFromSpans', () => {
  test('the older convention names (gen_ai.system, prompt/completion tokens) and a version sent as text', () => {
    const { runs } = runsFromSpans([
      span({
        'gen_ai.system': 'anthropic',
        'gen_ai.request.model': 'claude',
        'gen_ai.usage.prompt_tokens': 10n,
        'gen_ai.usage.completion_tokens': 4n,
        'refinery.prompt.name': 'greeting',
        'refinery.prompt.version': '3',
        'refinery.unit.id': 'user-7',
      }),
    ]);
    expect(runs[0]!.run).toMatchObject({
      name: 'greeting',
      version: 3,
      unitId: 'user-7',
      model: 'claude',
      inputTokens: 10,
      outputTokens: 4,
      latencyMs: 1500,
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(runs[0]!.run.error).toBeUndefined();
  });

  test('the prompt comes from the nearest ancestor that names one; the span’s own attributes win', () => {
    const root = span({ 'refinery.prompt.name': 'outer', 'refinery.prompt.version': 1n });
    const mid = span({ 'refinery.prompt.name': 'inner', 'refinery.prompt.version': 2n }, { parentSpanId: root.spanId });
    const call = span({ 'gen_ai.operation.name': 'chat' }, { parentSpanId: mid.spanId });
    const own = span(
      { 'gen_ai.operation.name': 'chat', 'refinery.prompt.name': 'own', 'refinery.prompt.version': 5n },
      { parentSpanId: mid.spanId },
    );
    const orphan = span({ 'gen_ai.operation.name': 'chat' }, { parentSpanId: 'f'.repeat(16) });
    const result = runsFromSpans([root, mid, call, own, orphan]);
    expect(result.runs.map((r) => `${r.run.name}@${r.run.version}`)).toEqual(['inner@2', 'own@5']);
    expect(result.skipped).toEqual({ 'not-genai': 2, 'not-a-run-operation': 0, 'no-prompt': 1 });
  });

  test('error.type alone marks a failed run; status ERROR without one keeps its message', () => {
    const prompt = { 'gen_ai.operation.name': 'chat', 'refinery.prompt.name': 'p', 'refinery.prompt.version': 1n };
    const { runs } = runsFromSpans([
      span({ ...prompt, 'error.type': 'timeout' }),
      span(prompt, { statusCode: 2, statusMessage: 'boom' }),
      span(prompt, { statusCode: 2 }),
    ]);
    expect(runs.map((r) => r.run.error)).toEqual(['timeout', 'boom', 'span status ERROR']);
  });

  test('a prompt name without a usable version is refused, naming the attribute', () => {
    expect(() =>
      runsFromSpans([
        span({ 'gen_ai.operation.name': 'chat', 'refinery.prompt.name': 'p', 'refinery.prompt.version': 0n }),
      ]),
    ).toThrow(BadSpanError);
    expect(() => runsFromSpans([span({ 'gen_ai.operation.name': 'chat', 'refinery.prompt.version': 2n })])).toThrow(
      /refinery.prompt.name must be a prompt name/,
    );
  });
});
