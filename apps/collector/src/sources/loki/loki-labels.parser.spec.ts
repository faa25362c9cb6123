import { parseLokiLabels } from './loki-labels.parser';

describe(parseLokiLabels.name, () => {
  it.each([
    ['{job="api", host="web-1.prod"}', { job: 'api', host: 'web-1.prod' }],
    ['{}', {}],
    ['  { level = "warn" ,app="x" }  ', { level: 'warn', app: 'x' }],
    ['{msg="say \\"hi\\"\\nbye \\\\ ok"}', { msg: 'say "hi"\nbye \\ ok' }],
    ['{a="", b="{}"}', { a: '', b: '{}' }],
  ])('parses %s', (text, labels) => {
    expect(parseLokiLabels(text)).toEqual({ ok: true, value: labels });
  });

  // The value regex /"((?:[^"\\]|\\.)*)"/ threw a RangeError past ~8 million characters, which a
  // 10 MB push holds: the request was answered 500.
  it('parses a label value of 9 million characters', () => {
    const value = 'x'.repeat(9_000_000);
    const sut = parseLokiLabels(`{a="${value}", b="\\"${value}"}`);
    expect(sut.ok && [sut.value.a.length, sut.value.b.length]).toEqual([value.length, value.length + 1]);
  });

  it('keeps a label named __proto__ as an ordinary label', () => {
    const sut = parseLokiLabels('{__proto__="x"}');
    expect(sut.ok && Object.getOwnPropertyDescriptor(sut.value, '__proto__')?.value).toBe('x');
  });

  it.each([
    ['job="api"'],
    ['{job=api}'],
    ['{job="api"'],
    ['{job="api",}'],
    ['{1job="x"}'],
    ['{a="b"} c'],
    [''],
  ])('refuses %p, quoting it', (text) => {
    expect(parseLokiLabels(text)).toEqual({
      ok: false,
      error: `labels: expected {name="value", …}, got ${JSON.stringify(text)}`,
    });
  });
});
