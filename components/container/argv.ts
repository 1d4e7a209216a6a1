/**
 * Words of a command line the way a POSIX shell splits them, without a shell: no variables,
 * globs or operators are expanded (`$GREETING` stays text for the container's own shell).
 * 'single quotes' keep everything; "double quotes" keep everything but \" \\ \$ \` ;
 * a backslash outside quotes keeps the next character.
 */
export class ArgvError extends Error {}

export function splitArgv(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ArgvError('a single quote is not closed');
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      for (;;) {
        if (i >= text.length) throw new ArgvError('a double quote is not closed');
        const d = text[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== '\n') word += text[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new ArgvError('a backslash at the end escapes nothing');
      // backslash-newline is a line continuation, as in sh
      if (text[i + 1] !== '\n') {
        word += text[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** One word as a shell would need it typed: plain when safe, else in single quotes. */
export function quoteWord(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The inverse of splitArgv: `splitArgv(joinArgv(a))` gives `a` back. */
export function joinArgv(argv: readonly string[]): string {
  return argv.map(quoteWord).join(' ');
}
