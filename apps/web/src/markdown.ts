/**
 * A small Markdown reader for bench reports: headings, paragraphs, lists, fenced code, pipe tables,
 * inline code, bold and images of the report's own plots. It builds DOM nodes and sets text as
 * text, so a report can never inject markup or load anything from elsewhere.
 */
import { h } from './dom.js';

/** Inline spans: `code`, **bold**, ![alt](plot.svg) (only names in `images`), [text](url) as text. */
function inline(text: string, images: ReadonlySet<string>): Node[] {
  const out: Node[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|!\[([^\]]*)\]\(([^)\s]+)\)|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(document.createTextNode(text.slice(last, m.index)));
    if (m[1] !== undefined) out.push(h('code', {}, m[1]));
    else if (m[2] !== undefined) out.push(h('strong', {}, m[2]));
    else if (m[4] !== undefined) {
      const name = m[4].split('/').pop() ?? '';
      out.push(images.has(name) ? h('img', { src: `/bench-files/${encodeURIComponent(name)}`, alt: m[3] ?? name, class: 'plot' }) : document.createTextNode(`[image ${m[3] || name}]`));
    } else out.push(document.createTextNode(`${m[5]} (${m[6]})`));
    last = re.lastIndex;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

const cells = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());

/**
 * Renders Markdown into a fragment.
 *
 * @example
 * ```ts
 * root.append(renderMarkdown('# Bench\n| a | b |\n|---|---|\n| 1 | 2 |', new Set()));
 * ```
 */
export function renderMarkdown(text: string, images: ReadonlySet<string>): DocumentFragment {
  const frag = document.createDocumentFragment();
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (/^```/.test(line)) {
      const body: string[] = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]!); i++) body.push(lines[i]!);
      i++;
      frag.append(h('pre', {}, body.join('\n')));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1]!.length + 1) as 2 | 3 | 4 | 5 | 6;
      const el = h(`h${level}`);
      el.append(...inline(heading[2]!, images));
      frag.append(el);
      i++;
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1]!)) {
      const head = cells(line);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]!); i++) rows.push(cells(lines[i]!));
      const td = (tag: 'td' | 'th', c: string) => {
        const el = h(tag, /^[-+]?[\d.,]+(e[-+]?\d+)?\s*(%|×|x|s|ms)?$/i.test(c) ? { class: 'num' } : {});
        el.append(...inline(c, images));
        return el;
      };
      frag.append(h('table', { class: 'bench' }, h('thead', {}, h('tr', {}, ...head.map((c) => td('th', c)))), h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => td('td', c)))))));
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      const ul = h('ul');
      for (; i < lines.length && /^\s*[-*]\s+/.test(lines[i]!); i++) {
        const li = h('li');
        li.append(...inline(lines[i]!.replace(/^\s*[-*]\s+/, ''), images));
        ul.append(li);
      }
      frag.append(ul);
      continue;
    }
    if (line.trim() === '') {
      i++;
      continue;
    }
    const para: string[] = [];
    for (; i < lines.length && lines[i]!.trim() !== '' && !/^(#{1,6}\s|```|\s*\||\s*[-*]\s)/.test(lines[i]!); i++) para.push(lines[i]!);
    const p = h('p');
    p.append(...inline(para.join(' '), images));
    frag.append(p);
  }
  return frag;
}
