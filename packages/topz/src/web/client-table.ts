/** A column of the page's process table. */
export interface PageColumn<P> {
  /** The field it sorts by. */
  key: string;
  title: string;
  text: (process: P) => string;
  /** Text columns align left; numbers right. */
  left?: boolean;
}

/**
 * Replaces the table body with one row per process, cells as text (a command line is whatever the
 * process wrote into its argv, so it never goes in as HTML). In tree view the command is indented by
 * depth. Runs in the browser: it must stand alone, with no imports and no calls outside itself.
 */
export function fillTable<P extends { pid: number }>(
  tbody: HTMLTableSectionElement,
  rows: readonly { process: P; depth: number }[],
  columns: readonly PageColumn<P>[],
  selectedPid: number | null,
  tree: boolean,
): void {
  const fragment = document.createDocumentFragment();
  for (const { process, depth } of rows) {
    const row = document.createElement('tr');
    row.dataset.pid = String(process.pid);
    if (process.pid === selectedPid) row.className = 'selected';
    for (const column of columns) {
      const cell = document.createElement('td');
      const text = column.text(process);
      if (column.left) cell.className = 'left';
      if (tree && column.key === 'cmdline') {
        cell.style.paddingLeft = `${0.4 + depth * 1.2}em`;
        cell.textContent = depth > 0 ? `└ ${text}` : text;
      } else {
        cell.textContent = text;
      }
      row.append(cell);
    }
    fragment.append(row);
  }
  tbody.replaceChildren(fragment);
}

/**
 * The header row: a button per column, the sorted one marked with aria-sort and an arrow. Built once
 * and then updated in place, with one click listener on the header: a header rebuilt by every update
 * (five a second) lost the clicks whose press and release fell on either side of a rebuild.
 */
export function fillHeader<P>(
  thead: HTMLTableSectionElement,
  columns: readonly PageColumn<P>[],
  sortKey: string,
  descending: boolean,
  onSort: (key: string) => void,
): void {
  let row = thead.rows[0];
  const keys = columns.map((column) => column.key).join(' ');
  if (!row || row.dataset.keys !== keys) {
    row = document.createElement('tr');
    row.dataset.keys = keys;
    for (const column of columns) {
      const cell = document.createElement('th');
      cell.dataset.key = column.key;
      if (column.left) cell.className = 'left';
      const button = document.createElement('button');
      button.type = 'button';
      cell.append(button);
      row.append(cell);
    }
    thead.replaceChildren(row);
  }
  if (!thead.dataset.sortable) {
    thead.dataset.sortable = 'yes';
    thead.addEventListener('click', (event) => {
      const key = (event.target as Element).closest('th')?.dataset.key;
      if (key) onSort(key);
    });
  }
  columns.forEach((column, index) => {
    const cell = row.cells[index]!;
    const sorted = column.key === sortKey;
    const text = sorted ? `${column.title} ${descending ? '▼' : '▲'}` : column.title;
    const sort = sorted ? (descending ? 'descending' : 'ascending') : 'none';
    const button = cell.firstElementChild as HTMLButtonElement;
    if (button.textContent !== text) button.textContent = text;
    if (cell.getAttribute('aria-sort') !== sort) cell.setAttribute('aria-sort', sort);
  });
}
