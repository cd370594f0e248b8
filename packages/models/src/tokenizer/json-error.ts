/**
 * The offset of the first JSON syntax error in `text`, or -1 if it parses. Only used to say where
 * a file is broken: Node 20's JSON.parse messages carry no position.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const stop = (): never => {
    throw new JsonStop(i);
  };
  const skipSpace = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = (): void => {
    i++; // opening quote
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        if ('"\\/bfnrt'.includes(text[i] ?? 'x')) i++;
        else if (text[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 5;
        else stop();
      } else if (c < ' ') stop();
      else i++;
    }
    stop();
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const scalar = (): void => {
    const c = text[i];
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) i = NUMBER.lastIndex;
    else stop();
  };
  // An explicit stack of open containers ('}' or ']'), not recursion: a file nested 100,000 deep
  // must give its offset, not a stack overflow.
  const value = (): void => {
    const open: string[] = [];
    for (;;) {
      // at the start of a value
      skipSpace();
      const c = text[i];
      if (c === '{' || c === '[') {
        const close = c === '{' ? '}' : ']';
        i++;
        skipSpace();
        if (text[i] === close) {
          i++;
        } else {
          open.push(close);
          if (close === '}') key();
          continue;
        }
      } else {
        scalar();
      }
      // after a value: close containers until one needs another member
      for (;;) {
        const close = open[open.length - 1];
        if (close === undefined) return;
        skipSpace();
        if (text[i] === ',') {
          i++;
          if (close === '}') key();
          break;
        }
        if (text[i] !== close) stop();
        i++;
        open.pop();
      }
    }
  };
  const key = (): void => {
    skipSpace();
    if (text[i] !== '"') stop();
    string();
    skipSpace();
    if (text[i] !== ':') stop();
    i++;
  };
  try {
    value();
    skipSpace();
    return i < text.length ? i : -1;
  } catch (e) {
    if (e instanceof JsonStop) return e.offset;
    throw e;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
}
