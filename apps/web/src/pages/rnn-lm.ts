/** RNN-LM page: an LSTM/GRU language model streams a continuation of a prompt. */
import '@genloom/rnn-lm';
import type { SiteCheckpoint } from '../api.js';
import { renderTextPage } from './text.js';

export async function render(root: HTMLElement, list: SiteCheckpoint[]): Promise<() => void> {
  return renderTextPage(root, list, {
    family: 'rnn-lm',
    heading: 'Recurrent language model',
    intro: 'An LSTM language model: it reads the prompt into its state and then draws one token at a time, carrying the state forward.',
    defaultPrompt: 'Call me Ishmael. Some years ago',
  });
}
