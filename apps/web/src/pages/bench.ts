/** Bench page: the latest bench report (Markdown tables, its plots, the JSON results) from bench-out/ or bench/results/. */
import { benchReport } from '../api.js';
import { h } from '../dom.js';
import { renderMarkdown } from '../markdown.js';

export async function render(root: HTMLElement): Promise<void> {
  const report = await benchReport();
  root.append(h('h1', {}, 'Benchmarks'));
  if (!report.dir) {
    root.append(
      h('section', { class: 'card', id: 'bench-empty' }, h('p', {}, `No bench report yet (looked in ${report.searched.join(' and ')}). Run `, h('code', {}, 'pnpm bench'), ' at the repository root, then reload this page.')),
    );
    return;
  }
  const plots = report.files.filter((f) => f.kind === 'plot');
  const plotNames = new Set(plots.map((f) => f.name));
  const newest = report.files[0];
  root.append(h('p', { class: 'note' }, `From ${report.dir}: ${report.files.length} files, newest ${newest ? new Date(newest.modified).toLocaleString() : '—'}.`));
  if (report.markdown) {
    const section = h('section', { class: 'card markdown', id: 'bench-report', 'data-file': report.markdown.name });
    section.append(renderMarkdown(report.markdown.text, plotNames));
    root.append(section);
  }
  // Plots the report did not already show inline.
  const shownInline = new Set([...root.querySelectorAll<HTMLImageElement>('img.plot')].map((img) => decodeURIComponent(img.src.split('/').pop() ?? '')));
  const extra = plots.filter((p) => !shownInline.has(p.name));
  if (extra.length) root.append(h('section', { class: 'card', id: 'bench-plots' }, h('h2', {}, 'Plots'), ...extra.map((p) => h('figure', {}, h('img', { src: `/bench-files/${encodeURIComponent(p.name)}`, alt: p.name, class: 'plot' }), h('figcaption', {}, p.name)))));
  const jsonNames = Object.keys(report.json);
  if (jsonNames.length) {
    root.append(
      h(
        'section',
        { class: 'card', id: 'bench-json' },
        h('h2', {}, 'Results (JSON)'),
        ...jsonNames.map((name) => h('details', {}, h('summary', {}, name), h('pre', {}, JSON.stringify(report.json[name], null, 2)))),
      ),
    );
  }
}
