// Each family's CLI adapter registers itself here, one import per family.
import './classifier.js';
import './diffusion.js';
import './gan.js';
import './rnn-lm.js';
import './seq2seq.js';
import './transformer.js';
import './vae.js';
