/**
 * Rate page: people are the last judges of generated content. Two kinds of judgement, stored through
 * @genloom/eval's SQLite rating store on the server:
 *  - pairwise: samples of two different image checkpoints side by side, "which looks more like a
 *    handwritten digit?" → Elo and Bradley–Terry per checkpoint;
 *  - real or generated: one image, either a real MNIST test digit or a sample → how often each
 *    checkpoint's samples pass as real.
 */
import { postRating, realDigits, scores, type SiteCheckpoint } from '../api.js';
import { fmt, h, statusLine } from '../dom.js';
import { canSampleImages, sampleImages } from '../image-models.js';
import { drawGrid } from '../images.js';

const QUESTION = 'Which looks more like a handwritten digit?';

function raterId(): string {
  const key = 'genloom-rater';
  let id = localStorage.getItem(key);
  if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    id = `web-${crypto.getRandomValues(new Uint32Array(2)).reduce((s, v) => s + v.toString(36), '')}`;
    localStorage.setItem(key, id);
  }
  return id;
}

function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000_000;
}

async function drawSample(canvas: HTMLCanvasElement, checkpoint: SiteCheckpoint, seed: number): Promise<void> {
  const x = await sampleImages(checkpoint, 1, seed);
  const data = await x.data();
  const shape = x.shape;
  x.dispose();
  drawGrid(canvas, data, shape, 1);
}

export async function render(root: HTMLElement, list: SiteCheckpoint[]): Promise<void> {
  const images = list.filter(canSampleImages);
  const rater = raterId();
  const status = statusLine();
  root.append(h('h1', {}, 'Rate the models'), h('p', { class: 'lead' }, `You rate as `, h('code', { id: 'rater' }, rater), '. Ratings go to the SQLite rating store of @genloom/eval on this server and move the scores below.'), status.el);

  // ---- scores ----------------------------------------------------------------------------------
  const table = h('tbody', { id: 'elo-rows' });
  const counts = h('p', { class: 'note', id: 'rating-counts' });
  const refreshScores = async () => {
    const s = await scores();
    const names = [...new Set([...images.map((c) => c.name), ...Object.keys(s.elo), ...Object.keys(s.realism).filter((k) => k !== 'real')])];
    table.replaceChildren(
      ...names.map((name) =>
        h(
          'tr',
          { 'data-checkpoint': name },
          h('td', {}, name),
          h('td', { class: 'elo' }, s.elo[name] === undefined ? '—' : fmt(s.elo[name], 4)),
          h('td', {}, s.bradleyTerry[name]?.strength === undefined ? '—' : fmt(s.bradleyTerry[name]!.strength, 3)),
          h('td', {}, s.realism[name] ? `${(100 * s.realism[name]!.judgedRealRate).toFixed(0)}% of ${s.realism[name]!.judgements}` : '—'),
        ),
      ),
      h('tr', { 'data-checkpoint': 'real' }, h('td', {}, 'real MNIST digits'), h('td', {}, '—'), h('td', {}, '—'), h('td', {}, s.realism.real ? `${(100 * s.realism.real.judgedRealRate).toFixed(0)}% of ${s.realism.real.judgements}` : '—')),
    );
    counts.textContent = `${s.counts.preferences} pairwise preferences and ${s.counts.judgements} real-or-generated judgements stored.`;
  };

  // ---- pairwise --------------------------------------------------------------------------------
  const pairSection = h('section', { class: 'card', id: 'pairwise' });
  if (images.length >= 2) {
    const left = h('canvas', { class: 'pixels medium', id: 'pair-image-left' });
    const right = h('canvas', { class: 'pixels medium', id: 'pair-image-right' });
    let current: { left: { checkpoint: string; sample: string }; right: { checkpoint: string; sample: string } } | null = null;
    const buttons = (['left', 'tie', 'right'] as const).map((winner) =>
      h('button', { type: 'button', id: `pair-${winner}`, 'data-winner': winner }, winner === 'tie' ? 'About the same' : winner === 'left' ? '← This one' : 'This one →'),
    );
    const next = async () => {
      // Two different checkpoints in random order, a fresh seed for each.
      const order = [...images].sort(() => Math.random() - 0.5);
      const [a, b] = [order[0]!, order[1]!];
      const sa = randomSeed();
      const sb = randomSeed();
      await Promise.all([drawSample(left, a, sa), drawSample(right, b, sb)]);
      current = { left: { checkpoint: a.name, sample: `seed=${sa}` }, right: { checkpoint: b.name, sample: `seed=${sb}` } };
      pairSection.dataset.ready = 'true';
    };
    for (const btn of buttons) {
      btn.addEventListener('click', () => {
        if (!current) return;
        const rating = { kind: 'preference', rater, ...current, winner: btn.dataset.winner, prompt: QUESTION };
        current = null;
        pairSection.dataset.ready = 'false';
        void (async () => {
          const id = await postRating(rating);
          status.set(`stored preference #${id}`);
          pairSection.dataset.lastId = String(id);
          await Promise.all([refreshScores(), next()]);
        })().catch(status.error);
      });
    }
    pairSection.append(h('h2', {}, 'Pairwise: ', QUESTION), h('p', { class: 'note' }, 'Each side comes from a different checkpoint (which one is hidden until the scores below).'), h('div', { class: 'row pair' }, left, right), h('div', { class: 'row' }, ...buttons));
    await next();
  } else {
    pairSection.append(h('h2', {}, 'Pairwise'), h('p', {}, 'Pairwise rating needs two image checkpoints; this site has one.'));
  }

  // ---- real or generated -----------------------------------------------------------------------
  const judgeSection = h('section', { class: 'card', id: 'real-or-generated' });
  const shown = h('canvas', { class: 'pixels medium', id: 'judge-image' });
  let pending: { sample: string; checkpoint: string | null } | null = null;
  const nextJudgement = async () => {
    const digits = await realDigits();
    if (Math.random() < 0.5) {
      const i = Math.floor(Math.random() * digits.count);
      drawGrid(shown, digits.pixels(i), [1, 28, 28, 1], 1);
      pending = { sample: `mnist-test:${digits.indices[i]}`, checkpoint: null };
    } else {
      const c = images[Math.floor(Math.random() * images.length)]!;
      const seed = randomSeed();
      await drawSample(shown, c, seed);
      pending = { sample: `${c.name}:seed=${seed}`, checkpoint: c.name };
    }
    judgeSection.dataset.ready = 'true';
  };
  const judgeButtons = [true, false].map((real) => h('button', { type: 'button', id: real ? 'judge-real' : 'judge-generated' }, real ? 'Real' : 'Generated'));
  judgeButtons.forEach((btn, k) =>
    btn.addEventListener('click', () => {
      if (!pending) return;
      const rating = { kind: 'judgement', rater, sample: pending.sample, checkpoint: pending.checkpoint, judgedReal: k === 0 };
      pending = null;
      judgeSection.dataset.ready = 'false';
      void (async () => {
        const id = await postRating(rating);
        status.set(`stored judgement #${id}`);
        judgeSection.dataset.lastId = String(id);
        await Promise.all([refreshScores(), nextJudgement()]);
      })().catch(status.error);
    }),
  );
  judgeSection.append(h('h2', {}, 'Real or generated?'), h('p', { class: 'note' }, 'Half of the images are real MNIST test digits, half are samples from the checkpoints.'), shown, h('div', { class: 'row' }, ...judgeButtons));
  await nextJudgement();

  root.append(
    pairSection,
    judgeSection,
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Scores'),
      h('table', { id: 'elo' }, h('thead', {}, h('tr', {}, h('th', {}, 'checkpoint'), h('th', {}, 'Elo'), h('th', {}, 'Bradley–Terry strength'), h('th', {}, 'judged real'))), table),
      counts,
      h('p', { class: 'note' }, 'Elo: 1500 to start, averaged over shuffled orders of the comparisons; Bradley–Terry: maximum-likelihood strengths with a weak prior. Both come from @genloom/eval.'),
    ),
  );
  await refreshScores();
}
