// Apart from regex.ts so the schema can check patterns without importing the assertion, which needs the schema's types.
/** Why a pattern would not compile, and which field is to blame; undefined when it compiles. */
export function regexProblem(source: string, flags = ''): { field: 'value' | 'flags'; message: string } | undefined {
  try {
    new RegExp('', flags);
  } catch {
    return { field: 'flags', message: `invalid regex flags ${JSON.stringify(flags)}` };
  }
  try {
    new RegExp(source, flags);
  } catch (err) {
    return { field: 'value', message: `invalid regex: ${(err as Error).message}` };
  }
  return undefined;
}
