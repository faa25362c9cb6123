import { applyDecorators } from '@nestjs/common';
import { ApiQuery, ApiResponse, SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { apiErrorSchema } from '@logyard/contracts';

// The bridge from the contracts' zod schemas to @nestjs/swagger (docs/design.md §6): zod 4's own
// z.toJSONSchema, targeting OpenAPI 3.0, so a request or answer is described from the schema that
// validates it and the two cannot drift.

/** The OpenAPI schema of a zod schema: `input` describes what a client sends, `output` what it receives. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  // Transforms (a severity alias becoming its canonical name) have no JSON Schema; their input side does.
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' });
  delete json.$schema;
  return json as SchemaObject;
}

/**
 * One `@ApiQuery` per parameter of a request schema (the object within its pipes). A repeatable parameter, a string or an array of strings in zod, is an array in
 * OpenAPI: the form style repeats `name=` once per value.
 */
export function ApiQueryParams(request: z.ZodType): MethodDecorator {
  const json = openApiSchema(objectOf(request) ?? request, 'input');
  const required = new Set(json.required ?? []);
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) => {
      const { description, ...schema } = property as SchemaObject;
      return ApiQuery({ name, required: required.has(name), description, schema: asQueryParam(schema) });
    }),
  );
}

/** Responses that are refusals, each with the API's one error envelope and what it means here. */
export function ApiRefusals(descriptions: Record<number, string>): MethodDecorator {
  const schema = openApiSchema(apiErrorSchema);
  return applyDecorators(
    ...Object.entries(descriptions).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, schema }),
    ),
  );
}

/** The object schema inside a request's pipes (names checked before it, a transform after it). */
function objectOf(schema: z.ZodType): z.ZodType | undefined {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodPipe)
    return objectOf(schema.out as z.ZodType) ?? objectOf(schema.in as z.ZodType);
  return undefined;
}

function asQueryParam(schema: SchemaObject): SchemaObject {
  const array = schema.anyOf?.find((variant) => 'type' in variant && variant.type === 'array');
  if (!array) return schema;
  const param: SchemaObject = {
    ...schema,
    type: 'array',
    items: schema.items ?? (array as SchemaObject).items,
  };
  delete param.anyOf;
  return param;
}
