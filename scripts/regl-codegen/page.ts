/**
 * Runs the latent map through everything it draws — both colorings, the three point sizes, marks,
 * box selection, hover, resize — so regl generates every draw command it will need, then hands the
 * generated code to scripts/regl-codegen/record.ts.
 */
import { reglCodeInUse } from '../../src/webview/common/map/reglRenderer';
import { ScatterMap } from '../../src/webview/common/map/scatterMap';

async function exercise(): Promise<Record<string, string>> {
  for (const count of [1_000, 10_000, 50_000]) {
    const map = new ScatterMap({}, { wheelZoom: true, tools: true });
    Object.assign(map.element.style, { width: '400px', height: '300px' });
    document.body.append(map.element);
    const x = Float32Array.from({ length: count }, (_, i) => Math.cos(i) * (i % 97));
    const y = Float32Array.from({ length: count }, (_, i) => Math.sin(i) * (i % 89));
    const projection = { method: 'pca' as const, x, y };
    await map.show(projection, { kind: 'label', categories: Int32Array.from({ length: count }, (_, i) => i % 12) });
    map.mark({ picks: [1, 2], matches: [3] });
    map.mark({ matches: Array.from({ length: 5_000 }, (_, i) => i) });
    await map.show(projection, { kind: 'continuous', values: x, title: 'x' });
    const canvas = map.element.querySelector('canvas')!;
    const at = (clientX: number, clientY: number) => ({ clientX, clientY, bubbles: true, button: 0 });
    const bounds = canvas.getBoundingClientRect();
    for (const [dx, dy] of [[200, 150], [210, 160]]) canvas.dispatchEvent(new MouseEvent('mousemove', at(bounds.left + dx!, bounds.top + dy!)));
    (map.element.querySelector('[data-tool="box"]') as HTMLButtonElement).click();
    canvas.dispatchEvent(new MouseEvent('mousedown', at(bounds.left + 50, bounds.top + 50)));
    window.dispatchEvent(new MouseEvent('mousemove', at(bounds.left + 300, bounds.top + 250)));
    window.dispatchEvent(new MouseEvent('mouseup', at(bounds.left + 300, bounds.top + 250)));
    Object.assign(map.element.style, { width: '500px' });
    map.resize();
    await new Promise((resolve) => setTimeout(resolve, 300));
    map.clearSelection();
    map.dispose();
    map.element.remove();
  }
  return Object.fromEntries(Object.entries(reglCodeInUse()).map(([hash, code]) => [hash, String(code)]));
}

(window as unknown as { reglCode: Promise<Record<string, string>> }).reglCode = exercise();
