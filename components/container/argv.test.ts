import { describe, expect, it } from 'vitest';
import { ArgvError, joinArgv, splitArgv } from './argv';

describe('splitArgv', () => {
  it('splits on runs of blanks', () => {
    expect(splitArgv('  httpd  -f -p\t8080 ')).toEqual(['httpd', '-f', '-p', '8080']);
    expect(splitArgv('')).toEqual([]);
  });

  it('keeps single-quoted text as it is, $ and backslashes included', () => {
    expect(splitArgv(`sh -c 'echo "$GREETING" \\n; exit 3'`)).toEqual(['sh', '-c', 'echo "$GREETING" \\n; exit 3']);
  });

  it('handles the escapes a shell knows inside double quotes, and only those', () => {
    expect(splitArgv(`echo "a \\"b\\" \\$HOME \\\\ \\x"`)).toEqual(['echo', 'a "b" $HOME \\ \\x']);
  });

  it('joins quoted and plain parts of one word', () => {
    expect(splitArgv(`--name=a'b c'"d"e`)).toEqual(['--name=ab cde']);
  });

  it('gives an empty word for empty quotes', () => {
    expect(splitArgv(`printf '' ""`)).toEqual(['printf', '', '']);
  });

  it('escapes a character outside quotes and continues lines', () => {
    expect(splitArgv('a\\ b c\\\nd')).toEqual(['a b', 'cd']);
  });

  it('names an unclosed quote', () => {
    expect(() => splitArgv(`echo 'oops`)).toThrow(ArgvError);
    expect(() => splitArgv(`echo "oops`)).toThrow(/double quote is not closed/);
    expect(() => splitArgv('echo \\')).toThrow(/backslash/);
  });
});

describe('joinArgv', () => {
  it('round-trips through splitArgv', () => {
    const argv = ['sh', '-c', `echo "it's $HOME"; exit 0`, '', 'plain', 'a b'];
    expect(splitArgv(joinArgv(argv))).toEqual(argv);
  });

  it('leaves safe words unquoted', () => {
    expect(joinArgv(['httpd', '-f', '-p', '8080', '/www'])).toBe('httpd -f -p 8080 /www');
  });
});
