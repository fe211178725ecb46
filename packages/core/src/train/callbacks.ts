/** One finished training step, as callbacks see it. Numbers only: no tensors are kept in logs. */
export interface StepEvent {
  /** Number of steps completed (1-based). */
  step: number;
  totalSteps: number;
  epoch: number;
  losses: Record<string, number>;
  lr: number;
  seconds: number;
  stepsPerSecond: number;
  examplesPerSecond: number;
  etaSeconds: number;
}

/** An evaluation result at a step. */
export interface EvalEvent {
  step: number;
  metrics: Record<string, number>;
}

/** What the run looked like when it ended. */
export interface TrainSummary {
  steps: number;
  seconds: number;
  stoppedBy: 'completed' | 'aborted' | 'early-stopping' | 'callback';
  lastLosses: Record<string, number>;
  lastMetrics: Record<string, number>;
}

/** Lets a callback steer the run. */
export interface TrainerControl {
  /** Ends the run after this step. */
  stop(reason?: string): void;
}

/**
 * Hooks into the training loop. All methods are optional and may be async.
 *
 * @example
 * ```ts
 * const logger: Callback = { onStepEnd: (e) => console.log(e.step, e.losses.loss) };
 * await train(model, data, { steps: 100, callbacks: [logger] });
 * ```
 */
export interface Callback {
  /** Before the first step (`startStep` > 0 when resuming). */
  onTrainBegin?(info: { startStep: number; totalSteps: number }): void | Promise<void>;
  /** After every step, with its losses and speed; `control.stop()` ends the run. */
  onStepEnd?(event: StepEvent, control: TrainerControl): void | Promise<void>;
  /** After each evaluation, with its metrics. */
  onEval?(event: EvalEvent, control: TrainerControl): void | Promise<void>;
  /** After a checkpoint was written. */
  onCheckpoint?(info: { step: number; location: string }): void | Promise<void>;
  /** When the run ends, however it ended. */
  onTrainEnd?(summary: TrainSummary): void | Promise<void>;
}

/**
 * Records every step's losses (and eval metrics) in memory: the loss history of a run.
 *
 * @example
 * ```ts
 * const history = lossHistory();
 * await train(model, data, { steps: 50, callbacks: [history] });
 * history.steps.map((s) => s.losses.loss);
 * ```
 */
export function lossHistory(): Callback & { steps: StepEvent[]; evals: EvalEvent[] } {
  const steps: StepEvent[] = [];
  const evals: EvalEvent[] = [];
  return {
    steps,
    evals,
    onStepEnd: (e) => {
      steps.push(e);
    },
    onEval: (e) => {
      evals.push(e);
    },
  };
}

/**
 * Writes one JSON object per line — `{"event":"step",…}`, `{"event":"eval",…}`, `{"event":"end",…}` —
 * for machines (the CLI's `--json`, log collectors).
 *
 * @example
 * ```ts
 * const cb = jsonLines((line) => process.stdout.write(line + '\n'), { every: 10 });
 * ```
 */
export function jsonLines(write: (line: string) => void, opts: { every?: number } = {}): Callback {
  const every = opts.every ?? 1;
  const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v.toPrecision(6))]));
  return {
    onStepEnd: (e) => {
      if (e.step % every !== 0 && e.step !== e.totalSteps) return;
      write(
        JSON.stringify({
          event: 'step',
          step: e.step,
          totalSteps: e.totalSteps,
          epoch: e.epoch,
          ...round(e.losses),
          lr: e.lr,
          stepsPerSecond: Number(e.stepsPerSecond.toFixed(3)),
          examplesPerSecond: Number(e.examplesPerSecond.toFixed(1)),
          etaSeconds: Math.round(e.etaSeconds),
        }),
      );
    },
    onEval: (e) => write(JSON.stringify({ event: 'eval', step: e.step, ...round(e.metrics) })),
    onCheckpoint: (c) => write(JSON.stringify({ event: 'checkpoint', step: c.step, location: c.location })),
  };
}

/**
 * Stops the run when a monitored value (an eval metric, or a loss) has not improved by `minDelta`
 * for `patience` evaluations (or steps, for a loss).
 *
 * @example
 * ```ts
 * const stopper = earlyStopping({ monitor: 'valLoss', patience: 3 });
 * ```
 */
export function earlyStopping(opts: { monitor: string; patience: number; minDelta?: number; mode?: 'min' | 'max' }): Callback & { best: number; stoppedAt: number | null } {
  const mode = opts.mode ?? 'min';
  const minDelta = opts.minDelta ?? 0;
  let bad = 0;
  const state = {
    best: mode === 'min' ? Infinity : -Infinity,
    stoppedAt: null as number | null,
  };
  const see = (step: number, value: number | undefined, control: TrainerControl) => {
    if (value === undefined) return;
    const better = mode === 'min' ? value < state.best - minDelta : value > state.best + minDelta;
    if (better) {
      state.best = value;
      bad = 0;
    } else if (++bad >= opts.patience) {
      state.stoppedAt = step;
      control.stop(`early-stopping: ${opts.monitor} did not improve for ${opts.patience} checks (best ${state.best})`);
    }
  };
  return Object.assign(state, {
    onEval: (e: EvalEvent, c: TrainerControl) => see(e.step, e.metrics[opts.monitor], c),
    onStepEnd: (e: StepEvent, c: TrainerControl) => {
      if (opts.monitor in e.losses) see(e.step, e.losses[opts.monitor], c);
    },
  });
}

/**
 * Calls `snapshot(step)` every `every` steps and at the end — e.g. to write a grid of samples so a
 * run can be watched while it trains.
 *
 * @example
 * ```ts
 * sampleSnapshots(500, async (step) => writeGrid(await vae.sample(16), `runs/vae/step-${step}.png`));
 * ```
 */
export function sampleSnapshots(every: number, snapshot: (step: number) => void | Promise<void>): Callback {
  let last = -1;
  return {
    onStepEnd: async (e) => {
      if (e.step % every === 0) {
        last = e.step;
        await snapshot(e.step);
      }
    },
    onTrainEnd: async (s) => {
      if (s.steps !== last && s.steps > 0) await snapshot(s.steps);
    },
  };
}
