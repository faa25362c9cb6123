import { histogramRequest, logPageSchema, logQueryRequest, tailRequest } from '@logyard/contracts';
import { ApiQueryParams, openApiSchema } from './zod-openapi';

/** @nestjs/swagger's metadata key for a route's parameters (its constants are not exported). */
const API_PARAMETERS = 'swagger/apiParameters';

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: Record<string, unknown>;
}

/** The query parameters the decorator gives one route, as @nestjs/swagger will put them in the document. */
function parametersOf(decorator: MethodDecorator): Parameter[] {
  class Sut {
    route(): void {}
  }
  const descriptor = Object.getOwnPropertyDescriptor(Sut.prototype, 'route')!;
  decorator(Sut.prototype, 'route', descriptor);
  return Reflect.getMetadata(API_PARAMETERS, descriptor.value) as Parameter[];
}

describe(ApiQueryParams.name, () => {
  it('documents every parameter of a request schema, from the schema that validates it', () => {
    const sut = parametersOf(ApiQueryParams(logQueryRequest));
    const byName = Object.fromEntries(sut.map((parameter) => [parameter.name, parameter]));
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining(['from', 'to', 'host', 'severity', 'minSeverity', 'limit', 'cursor', '-host']),
    );
    expect(sut.every((parameter) => parameter.in === 'query' && !parameter.required)).toBe(true);
    // The default is what the schema parses when the parameter is absent: the text a query string carries.
    expect(byName.limit.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000, default: '100' });
    // Repeatable: an array, each value repeated as name=value; severities list their canonical names.
    expect(byName.host.schema).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(byName.severity.schema).toMatchObject({
      type: 'array',
      items: { enum: expect.arrayContaining(['warn']) },
    });
    expect(byName.minSeverity.schema).toMatchObject({
      type: 'string',
      enum: expect.arrayContaining(['warn']),
    });
    expect(byName.from.description).toContain('now-15m');
  });

  it('marks a required parameter as required', () => {
    expect(parametersOf(ApiQueryParams(tailRequest))).toEqual([
      expect.objectContaining({
        name: 'pattern',
        required: true,
        schema: expect.objectContaining({ type: 'array' }),
      }),
    ]);
  });

  it('documents the histogram interval as auto or a named interval', () => {
    const interval = parametersOf(ApiQueryParams(histogramRequest)).find((p) => p.name === 'interval');
    expect(interval?.schema).toMatchObject({
      enum: expect.arrayContaining(['auto', '15m', '1d']),
      default: 'auto',
    });
  });
});

describe(openApiSchema.name, () => {
  it('describes an answer as OpenAPI 3.0 (nullable, no $schema)', () => {
    const sut = openApiSchema(logPageSchema);
    expect(sut).not.toHaveProperty('$schema');
    expect(sut).toMatchObject({
      type: 'object',
      required: ['items', 'nextCursor'],
      properties: { nextCursor: { type: 'string', nullable: true } },
    });
  });
});
