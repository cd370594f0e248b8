/** The element with this id, typed; a missing one is a bug in index.html, reported at once. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no element #${id}`);
  return el as T;
}

/** A new element with text content or children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, content: string | Node[] = [], attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (typeof content === 'string') node.textContent = content;
  else node.append(...content);
  return node;
}

/** Fills a table: a header row, then one row per record. */
export function fillTable(table: HTMLTableElement, head: string[], rows: (string | number)[][]): void {
  table.replaceChildren(
    el('thead', [el('tr', head.map((h) => el('th', h, { scope: 'col' })))]),
    el('tbody', rows.map((r) => el('tr', r.map((c) => el('td', String(c)))))),
  );
}

export function numberInput(id: string): number {
  return byId<HTMLInputElement>(id).valueAsNumber;
}

/** Shows an error message in a role=alert element (empty clears it). */
export function showError(id: string, err: unknown): void {
  byId(id).textContent = err === null ? '' : err instanceof Error ? err.message : String(err);
}

/** Saves bytes as a download. */
export function saveFile(name: string, bytes: Uint8Array, type = 'application/zip'): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = el('a', '', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
