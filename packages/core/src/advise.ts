/**
 * Model selection: which family and preset fits a task, data set and compute budget, with reasons.
 * Capabilities (what a family can do at all) are facts of the code; speed and quality come from the
 * benchmark harness's measured numbers ({@link BenchEvidence}), never from folklore.
 */

/** The kind of data. */
export type Modality = 'image' | 'text' | 'tabular';
/** What the user cares about most. */
export type Goal = 'realism' | 'diversity' | 'likelihood' | 'fast-sampling' | 'anomaly' | 'conditional';

/** A question to {@link advise}. */
export interface AdviceRequest {
  modality: Modality;
  labels: boolean;
  goal: Goal;
  /** Number of training examples (images, rows) or characters (text). */
  examples?: number;
  /** Minutes of training the user can afford on this machine. */
  budgetMinutes?: number;
  /** The `--data` spec to put in the command (default: a built-in set of the modality). */
  data?: string;
}

/** Measured numbers of one family's preset, as the bench records them. */
export interface PresetEvidence {
  /** Minutes to train the preset's standard budget on the bench machine. */
  trainMinutes: number;
  /** The preset's headline quality metric and its value (e.g. fid 12.3, valLoss 1.84). */
  quality?: { metric: string; value: number; lowerIsBetter: boolean };
  /** Samples (images, or tokens for text) generated per second. */
  samplesPerSecond?: number;
  /** What data the numbers were measured on. */
  data?: string;
}

/** The bench's measured numbers: family → preset → evidence. */
export interface BenchEvidence {
  /** Where the numbers come from (results file, date, commit). */
  source: string;
  families: Record<string, Record<string, PresetEvidence>>;
}

/** The answer of {@link advise}. */
export interface Advice {
  family: string;
  preset: string;
  reasons: string[];
  command: string;
  /** The other candidates that were considered, with why they ranked lower or were excluded. */
  alternatives: Array<{ family: string; preset: string; score: number; note: string }>;
}

interface Capability {
  family: string;
  /** The CLI family name (seq2seq is the transformer package's encoder–decoder). */
  modalities: Modality[];
  /** How well it serves each goal, 0 (cannot) to 3 (best of the families), with the reason. */
  goals: Partial<Record<Goal, [number, string]>>;
  needsLabels?: boolean;
  /** Presets from smallest to largest. */
  presets: string[];
}

// What each family can do at all, from its implementation (not from measurements).
const CAPABILITIES: Capability[] = [
  {
    family: 'vae',
    modalities: ['image', 'tabular'],
    presets: ['tiny', 'small', 'conv', 'base'],
    goals: {
      likelihood: [3, 'gives an ELBO and an importance-sampled log-likelihood per example'],
      anomaly: [3, 'scores each example by its negative ELBO and calibrates a threshold at a chosen false-positive rate'],
      'fast-sampling': [3, 'samples with one decoder pass'],
      conditional: [2, 'the conditional VAE takes a label'],
      diversity: [2, 'covers the data (a likelihood model does not drop modes) but samples are blurry'],
      realism: [1, 'samples are blurrier than adversarial or diffusion samples'],
    },
  },
  {
    family: 'gan',
    modalities: ['image'],
    presets: ['tiny', 'dcgan', 'acgan', 'wgan-gp'],
    goals: {
      realism: [2, 'adversarial training gives sharp samples'],
      'fast-sampling': [3, 'samples with one generator pass'],
      conditional: [2, 'ACGAN generates a requested class'],
      diversity: [1, 'prone to mode collapse (the monitor raises an alarm)'],
    },
  },
  {
    family: 'diffusion',
    modalities: ['image'],
    presets: ['tiny', 'small'],
    goals: {
      realism: [3, 'denoising diffusion gives the sharpest and most faithful samples'],
      diversity: [3, 'covers the modes of the data (no adversarial collapse)'],
      conditional: [3, 'classifier-free guidance on a label or a prompt'],
      'fast-sampling': [1, 'needs tens of network passes per sample (DDIM 20–50 steps)'],
    },
  },
  {
    family: 'rnn-lm',
    modalities: ['text'],
    presets: ['tiny', 'small', 'char-cpu'],
    goals: {
      likelihood: [2, 'reports validation loss, bits per character and perplexity'],
      'fast-sampling': [3, 'streams tokens with a constant-time recurrent step'],
      diversity: [2, 'samples with temperature, top-k and top-p'],
      realism: [2, 'fluent local text at small sizes'],
      anomaly: [1, 'a text\'s per-character loss can flag unusual text'],
    },
  },
  {
    family: 'transformer',
    modalities: ['text'],
    presets: ['tiny', 'nanogpt-cpu', 'small'],
    goals: {
      likelihood: [3, 'a GPT reaches the lowest validation loss per compute on character text'],
      realism: [3, 'attention over the whole context gives the most coherent text'],
      diversity: [2, 'samples with temperature, top-k and top-p'],
      'fast-sampling': [2, 'the KV cache makes each new token cheap'],
      anomaly: [1, 'a text\'s per-token loss can flag unusual text'],
    },
  },
  {
    family: 'seq2seq',
    modalities: ['text'],
    presets: ['tiny', 'g2p-small'],
    needsLabels: true,
    goals: {
      conditional: [3, 'maps a source sequence to a target (translation, grapheme-to-phoneme, correction)'],
    },
  },
];

const DEFAULT_DATA: Record<Modality, string> = { image: 'mnist', text: 'moby-dick', tabular: 'sensor' };

/**
 * Recommends a family and preset for a task, ranking the families that can serve the goal by
 * capability, then by the bench's measured quality, sampling speed and training time within the
 * budget. Without evidence it still answers from capabilities and says that no measurements were used.
 *
 * @example
 * ```ts
 * const advice = advise({ modality: 'image', labels: false, goal: 'anomaly', budgetMinutes: 10 }, evidence);
 * advice.command; // 'genloom train vae --data mnist --preset small --out runs/vae'
 * ```
 */
export function advise(request: AdviceRequest, evidence?: BenchEvidence): Advice {
  const modalities: Modality[] = ['image', 'text', 'tabular'];
  const goals: Goal[] = ['realism', 'diversity', 'likelihood', 'fast-sampling', 'anomaly', 'conditional'];
  if (!modalities.includes(request.modality)) throw new Error(`modality must be one of ${modalities.join(', ')}, got "${request.modality}"`);
  if (!goals.includes(request.goal)) throw new Error(`goal must be one of ${goals.join(', ')}, got "${request.goal}"`);
  if (request.budgetMinutes !== undefined && !(request.budgetMinutes > 0)) throw new Error(`budget must be a positive number of minutes, got ${request.budgetMinutes}`);

  type Scored = { cap: Capability; preset: string; score: number; reasons: string[]; note: string };
  const scored: Scored[] = [];
  const excluded: Advice['alternatives'] = [];
  for (const cap of CAPABILITIES) {
    if (!cap.modalities.includes(request.modality)) continue;
    const goal = cap.goals[request.goal];
    if (!goal || goal[0] === 0) {
      excluded.push({ family: cap.family, preset: '-', score: 0, note: `cannot serve the goal "${request.goal}"` });
      continue;
    }
    if (cap.needsLabels && !request.labels) {
      excluded.push({ family: cap.family, preset: '-', score: 0, note: 'needs paired or labelled data' });
      continue;
    }
    const reasons = [`${cap.family} ${goal[1]}`];
    let score = goal[0] * 10;
    if (request.goal === 'conditional' && !request.labels) {
      score -= 15;
      reasons.push('conditional generation needs labels or captions, and the data has none');
    }
    // Measured evidence: prefer the largest preset whose training fits the budget.
    const measured = evidence?.families[cap.family] ?? {};
    const presets = cap.presets.filter((p) => p !== 'tiny');
    let chosen = presets[0] ?? cap.presets[0]!;
    let note = 'no bench numbers for this family';
    const fits = presets.filter((p) => measured[p] && (request.budgetMinutes === undefined || measured[p]!.trainMinutes <= request.budgetMinutes));
    if (fits.length > 0) {
      chosen = fits.at(-1)!;
      const e = measured[chosen]!;
      note = `measured: trains in ${e.trainMinutes.toFixed(1)} min${e.quality ? `, ${e.quality.metric} ${e.quality.value}` : ''}${e.samplesPerSecond ? `, ${e.samplesPerSecond.toFixed(1)} samples/s` : ''}`;
      reasons.push(`preset ${chosen}: ${note} (${evidence!.source})`);
      if (request.goal === 'fast-sampling' && e.samplesPerSecond) score += Math.min(5, Math.log10(1 + e.samplesPerSecond));
    } else if (Object.keys(measured).length > 0 && request.budgetMinutes !== undefined) {
      const quickest = Object.entries(measured).sort((a, b) => a[1].trainMinutes - b[1].trainMinutes)[0]!;
      // A model that cannot train within the budget loses to any that can.
      score -= 25;
      note = `no measured preset trains within ${request.budgetMinutes} min (quickest: ${quickest[0]}, ${quickest[1].trainMinutes.toFixed(1)} min)`;
      reasons.push(note);
    }
    if (request.examples !== undefined && request.examples < 5000 && cap.family === 'diffusion') {
      score -= 3;
      reasons.push(`only ${request.examples} examples: diffusion models need more data than a VAE to generalise`);
    }
    scored.push({ cap, preset: chosen, score, reasons, note });
  }
  if (scored.length === 0) {
    throw new Error(`No family serves goal "${request.goal}" for ${request.modality} data${request.labels ? '' : ' without labels'}; try another goal`);
  }
  scored.sort((a, b) => b.score - a.score);
  const best = scored[0]!;
  if (!evidence) best.reasons.push('no bench results were found, so this ranks by capability alone (run `pnpm bench` to measure)');
  const cliName = best.cap.family;
  const data = request.data ?? (best.cap.family === 'seq2seq' ? 'cmudict' : DEFAULT_DATA[request.modality]);
  return {
    family: cliName,
    preset: best.preset,
    reasons: best.reasons,
    command: `genloom train ${cliName} --data ${data} --preset ${best.preset} --out runs/${cliName}`,
    alternatives: [...scored.slice(1).map((s) => ({ family: s.cap.family, preset: s.preset, score: Number(s.score.toFixed(2)), note: s.reasons.join('; ') })), ...excluded],
  };
}
