import { err, ok, Result } from '@logyard/contracts';
import {
  RECORD_STAMP_BYTES,
  RecordFields,
  RequestMapper,
  SharedAttributes,
  sharedAttributes,
} from './request-mapping';
import { REFUSALS_KEPT } from '../source-runner';

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
    const limit = 2 * (RECORD_STAMP_BYTES + big.bytes) + 1;
    const sut = new RequestMapper({ maxOutputBytes: limit });
    const builder = jest.fn(build);
    for (const [i, shared] of [big, big, big, small].entries())
      sut.add(ok(shared), builder, () => `items[${i}]`);
    expect(builder).toHaveBeenCalledTimes(2);
    expect(sut.mapping.errors.map(({ path }) => path)).toEqual(['items[2]', 'items[3]']);
    expect(sut.mapping.errors[0].error).toContain(`over ${limit} bytes; send fewer records per request`);
  });

  it('charges every record its stamp, so that records sharing nothing are bounded too', () => {
    const none = sharedAttributes({});
    const sut = new RequestMapper({ maxOutputBytes: 3 * (RECORD_STAMP_BYTES + none.bytes) });
    for (let i = 0; i < 5; i++) sut.add(ok(none), build, () => `items[${i}]`);
    expect(sut.mapping.records).toHaveLength(3);
    expect(sut.mapping.refused).toBe(2);
  });

  it('keeps the first refusals in full and counts every one, working out only the kept paths', () => {
    const sut = new RequestMapper({});
    const path = jest.fn(() => 'items[i]');
    for (let i = 0; i < REFUSALS_KEPT + 50; i++) sut.add(err('message: required'), build, path);
    expect(sut.mapping.errors).toHaveLength(REFUSALS_KEPT);
    expect(sut.mapping.refused).toBe(REFUSALS_KEPT + 50);
    expect(path).toHaveBeenCalledTimes(REFUSALS_KEPT);
  });

  it('works out shared attributes only while the budget can pay for a record that copies them', () => {
    const none = sharedAttributes({});
    const sut = new RequestMapper({ maxOutputBytes: RECORD_STAMP_BYTES + none.bytes });
    const shared = jest.fn(() => ok(none));
    const first = sut.share(shared);
    sut.add(first, build, () => 'items[0]');
    sut.add(first, build, () => 'items[1]');
    const later = sut.share(shared);
    expect(shared).toHaveBeenCalledTimes(1);
    expect(later).toEqual({ ok: false, error: expect.stringContaining('send fewer records per request') });
    expect(sut.mapping.records).toHaveLength(1);
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
