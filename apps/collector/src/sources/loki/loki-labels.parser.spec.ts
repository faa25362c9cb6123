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
