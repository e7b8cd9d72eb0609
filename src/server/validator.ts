/**
 * The validator of request bodies and parameters: JSON Schema draft 2020-12, the dialect of the
 * OpenAPI 3.1 document, so the server reads each schema exactly as the document states it
 * (`prefixItems`, `if`/`then`, type unions). No coercion, no defaults, no removal of fields.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import type { FastifySchemaCompiler } from 'fastify';

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;

/** A Fastify validator compiler backed by one Ajv 2020 instance. */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const ajv = new Ajv2020({
    coerceTypes: false,
    useDefaults: false,
    removeAdditional: false,
    allErrors: false,
    strict: true,
    // `required` inside if/not names fields of the enclosing object
    strictRequired: false,
    allowUnionTypes: true,
    // errors carry their schema: messages quote its description
    verbose: true,
  });
  // annotations of the OpenAPI document, not constraints
  ajv.addKeyword('x-checks');
  return ({ schema }) => ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
}
