import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders one scatter plot per hyperparameter — the objective against that parameter, one point
 * per trial, coloured by budget — side by side as an SVG (vega-lite, rendered headless).
 *
 * @example
 * ```ts
 * await writeFile('tune/objective.svg', await objectiveScatterSvg(rows, ['lr', 'layers'], 'valLoss'));
 * ```
 */
export async function objectiveScatterSvg(rows: Array<Record<string, unknown>>, params: string[], objective: string, logScale: string[] = []): Promise<string> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: rows },
    hconcat: params.map((p) => ({
      width: 220,
      height: 180,
      mark: { type: 'point', filled: true, size: 50 },
      encoding: {
        x: { field: p, type: typeof rows[0]?.[p] === 'number' ? 'quantitative' : 'nominal', scale: logScale.includes(p) ? { type: 'log' } : { zero: false } },
        y: { field: objective, type: 'quantitative', scale: { zero: false } },
        color: { field: 'budget', type: 'ordinal', title: 'steps' },
        tooltip: [{ field: 'id' }],
      },
    })),
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
