/** "battery, ala" -> { head: "battery, ", term: "ala" }: the term being typed after the last comma. */
export function splitLastTerm(input: string): { head: string; term: string } {
  const at = input.lastIndexOf(',');
  if (at === -1) return { head: '', term: input.trim() };
  const head = input.slice(0, at + 1);
  return { head: head.endsWith(' ') ? head : `${head} `, term: input.slice(at + 1).trim() };
}

/** Datalist values replace the whole input, so each suggestion carries the terms already typed. */
export function withLastTerm(input: string, suggestion: string): string {
  return splitLastTerm(input).head + suggestion;
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  run.cancel = () => clearTimeout(timer);
  return run;
}
