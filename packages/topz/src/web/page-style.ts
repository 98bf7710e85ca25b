/** The page's CSS: a compact table, light or dark with the system, no web fonts. */
export const pageStyle = `
:root { color-scheme: light dark; --line: #8884; --accent: #2a7de1; --fill: #2a7de133; }
body { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; margin: 0 1rem 1rem; }
header { display: flex; flex-wrap: wrap; gap: 0 1.5rem; align-items: baseline; }
h1 { font-size: 1.2rem; margin: 0.6rem 0; }
h2 { font-size: 1rem; margin: 0.4rem 0; }
h3 { font-size: 0.9rem; margin: 0.6rem 0 0.2rem; }
#status { color: #d33; }
#limits, #pressure { margin: 0 0 0.5rem; opacity: 0.8; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; flex: 1 1 18rem; max-width: 32rem; }
figcaption { font-size: 0.85rem; }
svg { width: 100%; height: 4rem; border: 1px solid var(--line); border-radius: 4px; }
path.line { fill: none; stroke: var(--accent); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
path.area { fill: var(--fill); stroke: none; }
.controls { display: flex; gap: 1rem; align-items: center; margin: 0.8rem 0 0.4rem; }
#filter { width: 22rem; font: inherit; padding: 0.2rem 0.4rem; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 0.1rem 0.4rem; text-align: right; white-space: nowrap; border-bottom: 1px solid var(--line); }
th.left, td.left { text-align: left; }
td:last-child { overflow: hidden; text-overflow: ellipsis; max-width: 60vw; }
thead th { position: sticky; top: 0; background: Canvas; }
th button { font: inherit; font-weight: bold; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
tbody tr { cursor: pointer; }
tbody tr:hover { background: #8881; }
tr.selected { background: var(--fill); }
#details { position: fixed; right: 1rem; bottom: 1rem; width: min(38rem, 92vw); max-height: 75vh; overflow: auto;
  background: Canvas; border: 1px solid var(--line); border-radius: 6px; padding: 0.4rem 0.8rem; box-shadow: 0 4px 24px #0004; }
#details h2 { display: flex; justify-content: space-between; }
#details-close { font: inherit; background: none; border: 0; cursor: pointer; color: inherit; }
#details .charts figure { flex-basis: 12rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; }
dt { opacity: 0.7; }
dd { margin: 0; word-break: break-all; }
form { display: flex; gap: 0.5rem; align-items: center; }
`;
