import { readAnswer } from './api-client';
import { EXIT_FAILURE, EXIT_USAGE } from './cli-error';

describe(readAnswer.name, () => {
  it('reads the JSON of a success, and nothing from an empty 204', () => {
    expect(readAnswer(200, '{"items":[]}')).toEqual({ items: [] });
    expect(readAnswer(204, '')).toBeUndefined();
  });

  it.each([
    [400, { statusCode: 400, field: 'limit', message: 'limit: too big' }, EXIT_USAGE, 'limit: too big'],
    [
      401,
      { statusCode: 401, message: 'a token is required' },
      EXIT_FAILURE,
      'a token is required; set LOGYARD_TOKEN to a query token',
    ],
    [
      409,
      { statusCode: 409, message: 'the name is taken' },
      EXIT_FAILURE,
      'Logyard answered 409: the name is taken',
    ],
  ])(
    'turns an HTTP %p into the exit code and message a script expects',
    (status, body, exitCode, message) => {
      expect(() => readAnswer(status, JSON.stringify(body))).toThrow(
        expect.objectContaining({ exitCode, message }),
      );
    },
  );

  it("takes an RPC reply's status from its error envelope, as the reply carries no status line", () => {
    const reply = JSON.stringify({ error: { statusCode: 400, field: 'from', message: 'from: not a time' } });
    expect(() => readAnswer(200, reply)).toThrow(
      expect.objectContaining({ exitCode: EXIT_USAGE, message: 'from: not a time' }),
    );
  });

  it('fails on a body that is not JSON, quoting the start of it', () => {
    expect(() => readAnswer(502, '<html>Bad gateway</html>')).toThrow(
      expect.objectContaining({
        exitCode: EXIT_FAILURE,
        message: expect.stringContaining('<html>Bad gateway'),
      }),
    );
  });
});
