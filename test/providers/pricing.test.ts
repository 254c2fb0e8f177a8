import {
  CONTEXT_WINDOWS,
  contextWindowForModel,
  estimateCostUsd,
  MODEL_PRICES,
  priceForModel,
  UNKNOWN_MODEL_PRICE,
} from '../../src/providers';

describe('pricing', () => {
  it.each([
    ['claude-sonnet-4-5', 3, 15],
    ['claude-opus-4-1', 15, 75],
    ['claude-haiku-4-5', 1, 5],
    ['gemini-2.5-pro', 1.25, 10],
    ['gemini-2.5-flash', 0.3, 2.5],
    ['gpt-4.1', 2, 8],
    ['gpt-4.1-mini', 0.4, 1.6],
    ['gpt-4o', 2.5, 10],
    ['gpt-4o-mini', 0.15, 0.6],
    ['o4-mini', 1.1, 4.4],
  ])('prices %s at $%d / $%d per million input / output tokens', (model, input, output) => {
    expect(priceForModel(model)).toMatchObject({
      matched: model,
      price: { inputPerMTok: input, outputPerMTok: output },
    });
    // 100k tokens: below every long-context threshold.
    expect(estimateCostUsd(model, 100_000, 0)).toBeCloseTo(input / 10, 12);
    expect(estimateCostUsd(model, 0, 100_000)).toBeCloseTo(output / 10, 12);
  });

  it('adds input and output cost', () => {
    expect(estimateCostUsd('claude-sonnet-4-5', 2_000, 500)).toBeCloseTo(0.006 + 0.0075, 12);
  });

  it.each([
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['gemini-2.5-flash-preview-09-2025', 'gemini-2.5-flash'],
    ['gemini-2.5-flash-lite-preview-06-17', 'gemini-2.5-flash-lite'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
    ['o4-mini-2025-04-16', 'o4-mini'],
    ['gemini-2.0-flash-001', 'gemini-2.0-flash'],
    ['Claude-Haiku-4-5', 'claude-haiku-4-5'],
  ])('resolves the snapshot %s to the %s family', (model, family) => {
    expect(priceForModel(model).matched).toBe(family);
  });

  it.each(['claude-sonnet-4-7', 'gpt-9o', 'gemini-9-ultra', ''])(
    'charges the conservative default for the unknown model "%s"',
    (model) => {
      expect(priceForModel(model)).toEqual({ price: UNKNOWN_MODEL_PRICE, matched: undefined });
    },
  );

  it('uses a default at least as expensive as every known model', () => {
    for (const price of Object.values(MODEL_PRICES)) {
      expect(UNKNOWN_MODEL_PRICE.inputPerMTok).toBeGreaterThanOrEqual(price.inputPerMTok);
      expect(UNKNOWN_MODEL_PRICE.outputPerMTok).toBeGreaterThanOrEqual(price.outputPerMTok);
    }
  });

  it('switches gemini-2.5-pro to its long-context price above 200k prompt tokens', () => {
    expect(estimateCostUsd('gemini-2.5-pro', 200_000, 0)).toBeCloseTo(0.25, 12);
    expect(estimateCostUsd('gemini-2.5-pro', 200_001, 1_000)).toBeCloseTo((200_001 * 2.5 + 1_000 * 15) / 1e6, 9);
  });

  it('costs nothing for no tokens', () => {
    expect(estimateCostUsd('gemini-2.5-flash', 0, 0)).toBe(0);
  });
});

describe('context windows', () => {
  it('knows one for every priced model family, and resolves snapshots like the prices', () => {
    expect(Object.keys(CONTEXT_WINDOWS).sort()).toEqual(Object.keys(MODEL_PRICES).sort());
    expect(contextWindowForModel('gpt-4.1-2025-04-14')).toBe(1_047_576);
    expect(contextWindowForModel('gpt-4o-mini')).toBe(128_000);
    expect(contextWindowForModel('o4-mini')).toBe(200_000);
    expect(contextWindowForModel('claude-sonnet-4-5-20250929')).toBe(200_000);
    expect(contextWindowForModel('models/gemini-2.5-pro')).toBe(1_048_576);
  });

  it('claims no size for a model it does not know (a local model behind OPENAI_BASE_URL)', () => {
    expect(contextWindowForModel('llama3.2:3b')).toBeUndefined();
  });
});
