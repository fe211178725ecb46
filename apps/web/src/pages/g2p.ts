/**
 * Grapheme-to-phoneme page: an English word in, its pronunciation out as ARPAbet phonemes (CMUdict's
 * alphabet, stress digits on the vowels), decoded greedily and by beam search, with the n-best list,
 * each hypothesis' log-probability and its length-normalised score. Characters the model's source
 * alphabet lacks are refused with a message that names them, not silently read as "unknown".
 */
import '@genloom/transformer';
import type { Seq2Seq } from '@genloom/transformer';
import { loadModel, type SiteCheckpoint } from '../api.js';
import { fmt, h, numberInput, statusLine } from '../dom.js';
import { showCheckpoint } from './checkpoint-note.js';

const EXAMPLE_WORDS = ['hello', 'world', 'genloom', 'phoneme', 'through', 'colonel', 'read', 'quixotic'];

/** IPA of the ARPAbet phonemes (stress digits stripped), so a reader need not know ARPAbet. */
const ARPABET_IPA: Record<string, string> = {
  AA: 'ɑ', AE: 'æ', AH: 'ʌ', AO: 'ɔ', AW: 'aʊ', AY: 'aɪ', B: 'b', CH: 'tʃ', D: 'd', DH: 'ð', EH: 'ɛ', ER: 'ɝ', EY: 'eɪ', F: 'f', G: 'ɡ', HH: 'h',
  IH: 'ɪ', IY: 'i', JH: 'dʒ', K: 'k', L: 'l', M: 'm', N: 'n', NG: 'ŋ', OW: 'oʊ', OY: 'ɔɪ', P: 'p', R: 'ɹ', S: 's', SH: 'ʃ', T: 't', TH: 'θ',
  UH: 'ʊ', UW: 'u', V: 'v', W: 'w', Y: 'j', Z: 'z', ZH: 'ʒ',
};

/** A rough IPA reading of ARPAbet phonemes: primary stress ˈ before its vowel, unstressed AH as ə. */
function toIpa(phonemes: string): string {
  return phonemes
    .split(' ')
    .filter(Boolean)
    .map((p) => {
      const m = /^([A-Z]+)([012])?$/.exec(p);
      if (!m) return p;
      const [, base, stress] = m;
      const ipa = base === 'AH' && stress === '0' ? 'ə' : base === 'ER' && stress === '0' ? 'ɚ' : (ARPABET_IPA[base!] ?? p);
      return stress === '1' ? `ˈ${ipa}` : stress === '2' ? `ˌ${ipa}` : ipa;
    })
    .join('');
}

/** The characters a tokenizer reads as themselves (its special tokens left out). */
function alphabetOf(model: Seq2Seq): string[] {
  const tok = model.sourceTokenizer!;
  const special = new Set(Object.values(tok.specialIds));
  return Array.from({ length: tok.vocabSize }, (_, id) => id)
    .filter((id) => !special.has(id))
    .map((id) => tok.idToToken(id));
}

/**
 * Renders the g2p page into `root` for the `seq2seq` checkpoints in `list`.
 *
 * @example
 * ```ts
 * await render(document.getElementById('page')!, await checkpoints());
 * ```
 */
export async function render(root: HTMLElement, list: SiteCheckpoint[]): Promise<() => void> {
  const models = list.filter((c) => c.family === 'seq2seq');
  const picker = h('select', { name: 'checkpoint', 'aria-label': 'checkpoint' }, ...models.map((c) => h('option', { value: c.name }, `${c.name} — ${c.title}`)));
  const info = h('p', { class: 'note', id: 'g2p-info' });
  const status = statusLine();
  root.append(
    h('h1', {}, 'Grapheme to phoneme'),
    h('p', { class: 'lead' }, 'An encoder–decoder transformer reads a word letter by letter and writes its pronunciation phoneme by phoneme, in the ARPAbet of the CMU Pronouncing Dictionary (stress on vowels: 1 primary, 2 secondary, 0 none). English spelling is ambiguous, so beam search keeps several pronunciations and ranks them.'),
    h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', {}, 'checkpoint'), picker)),
    info,
    status.el,
  );

  const word = h('input', { type: 'text', id: 'g2p-word', name: 'word', value: 'hello', size: 24, spellcheck: false, autocomplete: 'off', 'aria-label': 'word' });
  const beam = numberInput('beam width', { min: 1, max: 16, step: 1, value: 4, type: 'number', name: 'beam' });
  beam.input.id = 'g2p-beam';
  const go = h('button', { type: 'button', id: 'g2p-go', class: 'primary' }, 'Pronounce');
  const examples = h('div', { class: 'row examples' }, h('span', { class: 'caption' }, 'try:'), ...EXAMPLE_WORDS.map((w) => h('button', { type: 'button', class: 'example', 'data-word': w }, w)));
  const error = h('p', { class: 'status error', id: 'g2p-error', role: 'alert', hidden: true });
  const greedy = h('p', { class: 'phonemes', id: 'g2p-greedy' });
  const greedyIpa = h('span', { class: 'note', id: 'g2p-greedy-ipa' });
  const nbestRows = h('tbody', { id: 'g2p-nbest' });
  const timing = h('p', { class: 'note', id: 'g2p-time' });
  const result = h(
    'div',
    { id: 'g2p-result' },
    h('h3', {}, 'Greedy'),
    h('div', { class: 'row' }, greedy, greedyIpa),
    h('h3', {}, 'Beam search, n-best'),
    h(
      'table',
      { class: 'nbest' },
      h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, 'ARPAbet'), h('th', {}, 'IPA (approx.)'), h('th', { class: 'num' }, 'log P'), h('th', { class: 'num' }, 'P'), h('th', { class: 'num' }, 'score'))),
      nbestRows,
    ),
    h('p', { class: 'note' }, 'log P: the sum of the log-probabilities (nats) of the phonemes and the end token. Score: log P divided by GNMT’s length penalty ((5 + length) / 6)^0.6, what beam search ranks by, so longer pronunciations are not punished for having more terms. A hypothesis cut at the length limit is marked ✂.'),
    timing,
  );
  root.append(
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Word → pronunciation'),
      h('div', { class: 'row' }, h('label', { class: 'field' }, h('span', {}, 'word'), word), beam.row, go),
      examples,
      error,
      result,
    ),
  );

  let model: Seq2Seq | null = null;
  let alphabet: string[] = [];
  let seq = 0;

  const showError = (message: string | null) => {
    error.hidden = message === null;
    error.textContent = message ?? '';
    result.hidden = message !== null;
  };

  /** The word as the model reads it (lower case, CMUdict's alphabet), or an error that says why not. */
  const checkWord = (raw: string, m: Seq2Seq): { text: string } | { error: string } => {
    const text = raw.trim().toLowerCase();
    if (!text) return { error: 'Type a word.' };
    if (/\s/.test(text)) return { error: `One word at a time: “${raw.trim()}” has spaces.` };
    const outside = [...new Set([...text].filter((ch) => !alphabet.includes(ch)))];
    if (outside.length) {
      const shown = outside.map((ch) => (/\p{L}|\p{N}|\p{P}|\p{S}/u.test(ch) ? `“${ch}”` : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`));
      return { error: `${shown.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not in the model's alphabet. It knows only: ${alphabet.join(' ')} (CMUdict's letters and marks, lower case).` };
    }
    const longest = m.config.maxSourceLength - 1; // one position is the end token
    if (text.length > longest) return { error: `“${text}” has ${text.length} letters; this model reads at most ${longest}.` };
    return { text };
  };

  const pronounce = async () => {
    if (!model) return;
    const m = model;
    const mine = ++seq;
    const checked = checkWord(word.value, m);
    root.dataset.done = 'false';
    if ('error' in checked) {
      showError(checked.error);
      greedy.textContent = '';
      greedyIpa.textContent = '';
      nbestRows.replaceChildren();
      timing.textContent = '';
      root.dataset.done = 'true';
      return;
    }
    showError(null);
    const width = Math.max(1, Math.min(16, Math.round(beam.input.valueAsNumber) || 1));
    const ids = m.encodeSource(checked.text);
    const target = m.targetTokenizer!;
    const t0 = performance.now();
    const [best] = await m.translateIds([ids], { beamSize: 1 });
    const t1 = performance.now();
    const [hyps] = await m.nBest([ids], { beamSize: width });
    const t2 = performance.now();
    if (mine !== seq) return; // a newer request replaced this one
    const phonemes = target.decode(best!.ids, { skipSpecial: true });
    greedy.textContent = phonemes || '(nothing: the model ended at once)';
    greedy.dataset.phonemes = phonemes;
    greedyIpa.textContent = phonemes ? `/${toIpa(phonemes)}/ — log P ${fmt(best!.logProb, 3)}` : '';
    nbestRows.replaceChildren(
      ...hyps!.map((hyp, i) => {
        const text = target.decode(hyp.ids, { skipSpecial: true });
        return h(
          'tr',
          { class: i === 0 ? 'chosen' : '', 'data-phonemes': text },
          h('td', { class: 'num' }, String(i + 1)),
          h('td', { class: 'mono' }, `${text}${hyp.finished ? '' : ' ✂'}`),
          h('td', {}, text ? `/${toIpa(text)}/` : ''),
          h('td', { class: 'num' }, fmt(hyp.logProb, 3)),
          h('td', { class: 'num' }, Math.exp(hyp.logProb) < 1e-3 ? '<0.1%' : `${(100 * Math.exp(hyp.logProb)).toFixed(1)}%`),
          h('td', { class: 'num' }, fmt(hyp.score, 3)),
        );
      }),
    );
    timing.textContent = `greedy ${fmt(t1 - t0, 3)} ms, beam search (width ${width}) ${fmt(t2 - t1, 3)} ms.`;
    root.dataset.word = checked.text;
    root.dataset.done = 'true';
  };

  const run = () => void pronounce().catch(status.error);
  go.addEventListener('click', run);
  word.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') run();
  });
  beam.input.addEventListener('change', run);
  for (const b of examples.querySelectorAll<HTMLButtonElement>('button.example')) {
    b.addEventListener('click', () => {
      word.value = b.dataset.word!;
      run();
    });
  }

  const open = async () => {
    const name = picker.value;
    const entry = models.find((c) => c.name === name)!;
    status.set(`loading ${name}…`);
    const m = (await loadModel<Seq2Seq>(name)).model;
    if (!m.sourceTokenizer || !m.targetTokenizer) throw new Error(`${name} has no tokenizers in its checkpoint; it cannot read words`);
    model = m;
    alphabet = alphabetOf(m);
    const c = m.config;
    const phonemes = m.targetTokenizer.vocabSize - Object.values(m.targetTokenizer.specialIds).filter((id) => id !== undefined).length;
    showCheckpoint(info, entry, `encoder–decoder transformer, ${c.nEncoderLayer}+${c.nDecoderLayer} layers, ${c.nHead} heads, width ${c.nEmbd}; ${alphabet.length} letters and marks in, ${phonemes} phonemes out`);
    status.set('');
    await pronounce();
    root.dataset.model = name;
  };
  picker.addEventListener('change', () => void open().catch(status.error));
  await open();
  return () => {
    model = null;
  };
}
