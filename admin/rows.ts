/**
 * Makes `tbody` hold one row per item, in order, keyed by `data-<keyName>`. Rows that stay are
 * updated in place rather than rebuilt, so a button is not swapped out under a click.
 */
export function syncRows<T>(
  tbody: HTMLTableSectionElement,
  items: readonly T[],
  keyName: string,
  keyOf: (item: T) => string,
  fill: (row: HTMLTableRowElement, item: T) => void,
): void {
  const existing = new Map<string, HTMLTableRowElement>();
  for (const row of Array.from(tbody.rows)) existing.set(row.dataset[keyName] ?? '', row);

  items.forEach((item, index) => {
    const key = keyOf(item);
    let row = existing.get(key);
    existing.delete(key);
    if (!row) {
      row = document.createElement('tr');
      row.dataset[keyName] = key;
    }
    fill(row, item);
    if (tbody.rows[index] !== row) tbody.insertBefore(row, tbody.rows[index] ?? null);
  });

  for (const stale of existing.values()) stale.remove();
}

/** The row's cells, created on first use: `count` `<td>`s. */
export function cellsOf(row: HTMLTableRowElement, count: number): HTMLTableCellElement[] {
  while (row.cells.length < count) row.insertCell();
  return Array.from(row.cells);
}
