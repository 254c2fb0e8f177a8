import { PRESETS, resolvePreset } from '../../../src/tune/presets';

describe('resolvePreset', () => {
  test.each([
    ['quick', 3, 70],
    ['standard', 5, 80],
    ['thorough', 8, 90],
  ])('%s is %i iterations to %i', (name, maxIterations, threshold) => {
    expect(resolvePreset(name, {})).toEqual({ maxIterations, threshold });
    expect(PRESETS[name as keyof typeof PRESETS]).toEqual({ maxIterations, threshold });
  });

  test('no preset means standard', () => {
    expect(resolvePreset(undefined, {})).toEqual({ maxIterations: 5, threshold: 80 });
  });

  test.each<
    [string | undefined, { threshold?: number; maxIterations?: number }, { threshold: number; maxIterations: number }]
  >([
    ['quick', { threshold: 95 }, { threshold: 95, maxIterations: 3 }],
    ['quick', { maxIterations: 12 }, { threshold: 70, maxIterations: 12 }],
    ['thorough', { threshold: 60, maxIterations: 2 }, { threshold: 60, maxIterations: 2 }],
    [undefined, { threshold: 75 }, { threshold: 75, maxIterations: 5 }],
    ['standard', { threshold: 0 }, { threshold: 0, maxIterations: 5 }],
    ['standard', { threshold: undefined, maxIterations: undefined }, { threshold: 80, maxIterations: 5 }],
  ])('flags override the preset: %s %j', (name, overrides, expected) => {
    expect(resolvePreset(name, overrides)).toEqual(expected);
  });

  test.each(['fast', 'Quick', '', 'standard '])('unknown preset %j throws a message naming the fix', (name) => {
    expect(() => resolvePreset(name, {})).toThrow(`unknown preset "${name}": use quick, standard or thorough`);
  });

  test('an unknown preset is refused even when both values are overridden', () => {
    expect(() => resolvePreset('fast', { threshold: 70, maxIterations: 3 })).toThrow(/unknown preset "fast"/);
  });

  test.each(['constructor', 'toString', 'hasOwnProperty'])(
    'a preset named after an Object.prototype member (%s) is refused',
    (name) => {
      expect(() => resolvePreset(name, {})).toThrow(/unknown preset/);
    },
  );
});
