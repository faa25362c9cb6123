import { err, ok, Result } from '@logyard/contracts';
import { RecordFields, RequestMapper, SharedAttributes, sharedAttributes } from './request-mapping';

const OBSERVED = '2026-11-24T23:49:27.123000Z';

function build(shared: SharedAttributes): Result<RecordFields> {
  return ok({ message: 'a line', attributes: shared.attributes });
}

describe(RequestMapper.name, () => {
  it('keeps each built record and each refusal with its path, one bad item costing only itself', () => {
    const sut = new RequestMapper({ observedTs: OBSERVED });
    const shared = ok(sharedAttributes({ env: 'prod' }));
    sut.add(shared, build, () => 'items[0]');
    sut.add(
      shared,
      () => err('message: required'),
      () => 'items[1]',
    );
    sut.add(shared, build, () => 'items[2]');
    expect(sut.mapping.records.map((record) => record.attributes)).toEqual([
      { env: 'prod' },
      { env: 'prod' },
    ]);
    expect(sut.mapping.errors).toEqual([{ path: 'items[1]', error: 'message: required' }]);
  });

  it('works out the path of a refused item only', () => {
    const path = jest.fn(() => 'items[0]');
    new RequestMapper({}).add(ok(sharedAttributes({})), build, path);
    expect(path).not.toHaveBeenCalled();
  });

  it('refuses an item whose shared attributes were refused, without building it', () => {
    const sut = new RequestMapper({});
    const builder = jest.fn(build);
    sut.add(err('resource.attributes: must be an array'), builder, () => 'items[0]');
    expect(builder).not.toHaveBeenCalled();
    expect(sut.mapping.errors).toEqual([
      { path: 'items[0]', error: 'resource.attributes: must be an array' },
    ]);
  });

  it('refuses every item past the budget without building it, even one that would fit', () => {
    const big = sharedAttributes({ label: 'x'.repeat(20) });
    const small = sharedAttributes({});
    const limit = 2 * big.bytes + 1;
    const sut = new RequestMapper({ maxSharedAttributeBytes: limit });
    const builder = jest.fn(build);
    for (const [i, shared] of [big, big, big, small].entries())
      sut.add(ok(shared), builder, () => `items[${i}]`);
    expect(builder).toHaveBeenCalledTimes(2);
    expect(sut.mapping.errors.map(({ path }) => path)).toEqual(['items[2]', 'items[3]']);
    expect(sut.mapping.errors[0].error).toContain(`over ${limit} bytes; send fewer records per request`);
  });

  it('parses every item of a request observed at one time, with what the format fixes', () => {
    const sut = new RequestMapper({ maxAttributeDepth: 1 }, { severityScale: 'otel' });
    const shared = ok(sharedAttributes({}));
    sut.add(
      shared,
      () => ok({ message: 'a', severity: 17 }),
      () => 'items[0]',
    );
    sut.add(
      shared,
      () => ok({ message: 'b', severity: 9 }),
      () => 'items[1]',
    );
    sut.add(
      shared,
      () => ok({ message: 'c', attributes: { a: { b: 1 } } }),
      () => 'items[2]',
    );
    const [first, second] = sut.mapping.records;
    expect([first.severity, second.severity]).toEqual(['error', 'info']);
    expect(first.observedTs).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(second.observedTs).toBe(first.observedTs);
    expect(sut.mapping.errors).toEqual([{ path: 'items[2]', error: expect.stringContaining('deeper') }]);
  });

  it('refuses an item whose fields the record contract refuses, naming the field', () => {
    const sut = new RequestMapper({ observedTs: OBSERVED });
    sut.add(
      ok(sharedAttributes({})),
      () => ok({ message: 'a', severity: 'loud' }),
      () => 'items[0]',
    );
    expect(sut.mapping.records).toEqual([]);
    expect(sut.mapping.errors).toEqual([{ path: 'items[0]', error: expect.stringContaining('severity') }]);
  });
});
