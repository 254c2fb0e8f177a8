/** Reference 004's three presets: iterations and quality threshold. Flags override either. */
export const PRESETS = {
  quick: { maxIterations: 3, threshold: 70 },
  standard: { maxIterations: 5, threshold: 80 },
  thorough: { maxIterations: 8, threshold: 90 },
} as const;
export type PresetName = keyof typeof PRESETS;

export function resolvePreset(
  name: string | undefined,
  overrides: { threshold?: number; maxIterations?: number },
): { threshold: number; maxIterations: number } {
  const key = name ?? 'standard';
  const preset = Object.hasOwn(PRESETS, key) ? PRESETS[key as PresetName] : undefined;
  if (!preset) throw new Error(`unknown preset "${name}": use quick, standard or thorough`);
  return {
    threshold: overrides.threshold ?? preset.threshold,
    maxIterations: overrides.maxIterations ?? preset.maxIterations,
  };
}
