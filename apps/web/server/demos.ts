/**
 * The demo site's checkpoints: what `pnpm demo:train` trains (the exact CLI arguments, seeds
 * included) and what the pages load. One list, read by the training script, the server and the
 * browser tests.
 */

/** One demo checkpoint. */
export interface DemoCheckpoint {
  /** Folder under `apps/web/checkpoints/` and the id ratings refer to. */
  name: string;
  /** Core family name recorded in the checkpoint. */
  family: string;
  /** The CLI family that trains it (`genloom train <cliFamily>`). */
  cliFamily: string;
  /** What the rating and bench pages call it. */
  title: string;
  /** What its samples are: images can be rated against each other and against real digits. */
  modality: 'image' | 'text' | 'image-to-image';
  /** Arguments after `pnpm genloom` (without `--out`): recorded command, fixed seed, small budget. */
  train: string[];
  /**
   * Further runs, each continuing the previous one from its weights with fresh optimizer state
   * (`--resume` and `--out` are added): how a checkpoint was taken further after it was first trained.
   * An `{ average }` step runs each of its branches from the previous run, side by side, and
   * averages their weights (`genloom average`: a model soup).
   */
  continueWith?: ContinueStep[];
}

/** One step of {@link DemoCheckpoint.continueWith}: a run, or runs whose weights are averaged. */
export type ContinueStep = string[] | { average: string[][] };

/**
 * Budgets are set so that each run takes minutes on one wasm thread of a loaded 2-core machine
 * (`demo.json` records the time actually taken).
 */
export const DEMO_CHECKPOINTS: readonly DemoCheckpoint[] = [
  {
    name: 'vae-mnist',
    family: 'vae',
    cliFamily: 'vae',
    title: 'MLP VAE (784-400-20), MNIST',
    modality: 'image',
    train: ['train', 'vae', '--data', 'mnist', '--preset', 'small', '--steps', '1500', '--seed', '1'],
  },
  {
    name: 'vae-mnist-tiny',
    family: 'vae',
    cliFamily: 'vae',
    title: 'tiny MLP VAE (784-32-4), MNIST',
    modality: 'image',
    train: ['train', 'vae', '--data', 'mnist', '--preset', 'tiny', '--steps', '400', '--seed', '2'],
  },
  {
    name: 'transformer-moby',
    family: 'transformer',
    cliFamily: 'transformer',
    title: 'char GPT (4 layers, 128 wide), Moby-Dick',
    modality: 'text',
    train: ['train', 'transformer', '--data', 'moby-dick', '--preset', 'nanogpt-cpu', '--set', 'lrDecayIters=400', '--steps', '400', '--seed', '1337'],
  },
  {
    name: 'rnn-lm-moby',
    family: 'rnn-lm',
    cliFamily: 'rnn-lm',
    title: 'char LSTM (1 layer, 384 units), Moby-Dick',
    modality: 'text',
    train: ['train', 'rnn-lm', '--data', 'moby-dick', '--preset', 'char-cpu', '--set', 'lrDecayIters=400', '--steps', '400', '--seed', '1'],
  },
  {
    name: 'gan-acgan-mnist',
    family: 'gan',
    cliFamily: 'gan',
    title: 'ACGAN (class-conditional DCGAN), MNIST',
    modality: 'image',
    train: ['train', 'gan', '--data', 'mnist', '--preset', 'acgan', '--steps', '3000', '--seed', '1'],
    continueWith: [['train', 'gan', '--data', 'mnist', '--preset', 'acgan', '--steps', '3000', '--seed', '2']],
  },
  {
    name: 'gan-pix2pix-emoji',
    family: 'gan',
    cliFamily: 'gan',
    title: 'pix2pix colouriser (grey → colour), Twemoji sprites',
    modality: 'image-to-image',
    train: ['train', 'gan', '--data', 'emoji', '--preset', 'pix2pix-colorize', '--steps', '1500', '--seed', '1'],
  },
  {
    name: 'diffusion-mnist',
    family: 'diffusion',
    cliFamily: 'diffusion',
    title: 'diffusion U-Net (prompt-conditioned), MNIST',
    modality: 'image',
    train: ['train', 'diffusion', '--data', 'mnist', '--preset', 'small', '--steps', '1000', '--seed', '1'],
    continueWith: [
      ['train', 'diffusion', '--data', 'mnist', '--preset', 'small', '--steps', '6000', '--checkpoint-every', '1000', '--seed', '2'],
      ['train', 'diffusion', '--data', 'mnist', '--preset', 'small', '--steps', '6000', '--checkpoint-every', '1000', '--lr', '1e-3', '--seed', '3'],
    ],
  },
  {
    name: 'g2p-cmudict',
    family: 'seq2seq',
    cliFamily: 'seq2seq',
    title: 'grapheme-to-phoneme transformer, CMUdict',
    modality: 'text',
    train: ['train', 'seq2seq', '--data', 'cmudict', '--preset', 'g2p-small', '--steps', '1500', '--seed', '1'],
    continueWith: [
      ['train', 'seq2seq', '--data', 'cmudict', '--preset', 'g2p-small', '--steps', '4000', '--seed', '2'],
      ['train', 'seq2seq', '--data', 'cmudict', '--preset', 'g2p-small', '--steps', '8000', '--checkpoint-every', '2000', '--seed', '3'],
      ['train', 'seq2seq', '--data', 'cmudict', '--preset', 'g2p-small', '--steps', '12000', '--checkpoint-every', '2000', '--seed', '4'],
      ['train', 'seq2seq', '--data', 'cmudict', '--preset', 'g2p-small', '--steps', '10000', '--checkpoint-every', '2000', '--seed', '5'],
      {
        average: [
          ['train', 'seq2seq', '--data', 'cmudict', '--preset', 'g2p-small', '--set', 'dropout=0', '--lr', '1e-3', '--steps', '16000', '--checkpoint-every', '2000', '--seed', '7'],
          ['train', 'seq2seq', '--data', 'cmudict', '--preset', 'g2p-small', '--set', 'dropout=0', '--lr', '1e-3', '--steps', '12000', '--checkpoint-every', '2000', '--seed', '6'],
        ],
      },
    ],
  },
];
