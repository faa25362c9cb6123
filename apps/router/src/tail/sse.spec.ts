import { makeRecord } from '@logyard/contracts';
import { sseComment, sseMessage } from './sse';

describe(sseMessage.name, () => {
  it('puts a record on one data line, however many lines its message has', () => {
    const record = makeRecord({ message: 'Traceback:\n  at line 1\r\n  at line 2' });
    const sut = sseMessage(JSON.stringify(record));
    expect(sut).toBe(`data: ${JSON.stringify(record)}\n\n`);
    expect(sut.split('\n')).toHaveLength(3);
  });

  it('names the event when given one', () => {
    expect(sseMessage('{"dropped":12}', 'dropped')).toBe('event: dropped\ndata: {"dropped":12}\n\n');
  });

  it('splits multi-line data into data lines, which a client joins back with newlines', () => {
    expect(sseMessage('a\nb\r\nc\rd')).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
  });
});

describe(sseComment.name, () => {
  it('writes comment lines that end the message', () => {
    expect(sseComment('heartbeat')).toBe(': heartbeat\n\n');
    expect(sseComment('one\ntwo')).toBe(': one\n: two\n\n');
  });
});
