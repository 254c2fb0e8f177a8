/** Label rules: `production` is protected; `latest` is computed, never stored or moved by hand. */
export const PROTECTED_LABEL = 'production';
export const LATEST = 'latest';
export const LABEL_PATTERN = /^[a-z][a-z0-9._-]{0,62}$/;

export function labelProblem(label: string): string | undefined {
  if (label === LATEST) return '"latest" moves by itself to the newest version; pick another label';
  if (!LABEL_PATTERN.test(label))
    return `label "${label}" is invalid: use lowercase letters, digits, ".", "_" or "-", starting with a letter`;
  return undefined;
}
