import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';

const compiled = new WeakMap<object, ValidateFunction>();

// Draft-07 unless the schema names a newer draft: the draft classes know different keywords and meta-schemas.
function ajvFor(schema: object): Ajv {
  // allErrors off: the first error is all a reason reports. strict off: hand-written schemas carry extra keywords.
  // logger off: unknown formats (no ajv-formats here) are skipped, and warnings must not reach the console.
  const options = { allErrors: false, strict: false, logger: false as const };
  const draft = (schema as { $schema?: unknown }).$schema;
  if (typeof draft === 'string' && draft.includes('2020-12')) return new Ajv2020(options);
  if (typeof draft === 'string' && draft.includes('2019-09')) return new Ajv2019(options);
  return new Ajv(options);
}

/** A validator for `schema`; throws when the schema itself is invalid. */
export function compileJsonSchema(schema: object): ValidateFunction {
  const hit = compiled.get(schema);
  if (hit) return hit;
  // A fresh Ajv per schema: one shared instance refuses a second schema reusing an $id, and would keep them all alive.
  const validate = ajvFor(schema).compile(schema);
  compiled.set(schema, validate);
  return validate;
}

/** Why `schema` does not compile; undefined when it does. */
export function jsonSchemaProblem(schema: object): string | undefined {
  try {
    compileJsonSchema(schema);
    return undefined;
  } catch (err) {
    return `invalid JSON Schema: ${(err as Error).message}`;
  }
}

/** The failing location as a JSON Pointer; for required/additional properties, the property itself. */
export function schemaErrorPath(error: ErrorObject): string {
  const params = error.params as { missingProperty?: unknown; additionalProperty?: unknown };
  const prop = params.missingProperty ?? params.additionalProperty;
  const pointer =
    typeof prop === 'string'
      ? `${error.instancePath}/${prop.replace(/~/g, '~0').replace(/\//g, '~1')}`
      : error.instancePath;
  return pointer === '' ? '/' : pointer;
}
