/**
 * A few DOM helpers: elements are built with `h()` and text is always set as text, never parsed as
 * HTML, so nothing a model or a report says can inject markup.
 */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/**
 * Creates an element with attributes, event handlers (`onclick`…) and children.
 *
 * @example
 * ```ts
 * h('button', { class: 'primary', onclick: () => go() }, 'Generate');
 * ```
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, ...children);
  return el;
}

/** Appends children (strings become text nodes). */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** A labelled numeric input (range or number) whose value is read with `.valueAsNumber`. */
export function numberInput(label: string, attrs: { min: number; max: number; step: number; value: number; type?: 'range' | 'number'; name: string }): { row: HTMLLabelElement; input: HTMLInputElement; out: HTMLOutputElement } {
  const input = h('input', { type: attrs.type ?? 'range', min: attrs.min, max: attrs.max, step: attrs.step, value: attrs.value, name: attrs.name });
  const out = h('output', {}, String(attrs.value));
  input.addEventListener('input', () => (out.textContent = input.value));
  return { row: h('label', { class: 'field' }, h('span', {}, label), input, attrs.type === 'number' ? null : out), input, out };
}

/** Formats a number for people: 4 significant digits, no trailing zeros. */
export function fmt(x: unknown, digits = 4): string {
  if (typeof x !== 'number') return x === null || x === undefined ? '—' : String(x);
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  return String(Number(x.toPrecision(digits)));
}

/** A status line shown while work runs; errors are shown in it, never swallowed. */
export function statusLine(): { el: HTMLParagraphElement; set(text: string): void; error(err: unknown): void } {
  const el = h('p', { class: 'status', role: 'status' });
  return {
    el,
    set(text) {
      el.classList.remove('error');
      el.textContent = text;
    },
    error(err) {
      el.classList.add('error');
      el.textContent = `Error: ${(err as Error)?.message ?? String(err)}`;
    },
  };
}
