/**
 * Draws a small line-and-area chart of `values` (oldest first, evenly spaced) into an SVG whose
 * viewBox is 0 0 100 30; the scale runs from 0 to the larger of `floor` and the largest value. Runs
 * in the browser: it must stand alone, with no imports and no calls outside itself.
 */
export function drawChart(svg: SVGSVGElement, values: readonly number[], floor: number): void {
  const ns = 'http://www.w3.org/2000/svg';
  let area = svg.querySelector<SVGPathElement>('path.area');
  let line = svg.querySelector<SVGPathElement>('path.line');
  if (!area || !line) {
    area = document.createElementNS(ns, 'path');
    area.setAttribute('class', 'area');
    line = document.createElementNS(ns, 'path');
    line.setAttribute('class', 'line');
    svg.append(area, line);
  }
  if (values.length === 0) {
    area.setAttribute('d', '');
    line.setAttribute('d', '');
    return;
  }
  const top = Math.max(floor, ...values) || 1;
  const step = values.length > 1 ? 100 / (values.length - 1) : 0;
  const points = values.map((value, index) => {
    const x = values.length > 1 ? index * step : 100;
    const y = 30 - (Math.max(0, value) / top) * 28;
    return `${x.toFixed(2)},${y.toFixed(2)}`;
  });
  const path = `M${points.join(' L')}`;
  line.setAttribute('d', path);
  area.setAttribute('d', `${path} L100,30 L${values.length > 1 ? 0 : 100},30 Z`);
  svg.dataset.points = String(values.length);
}
