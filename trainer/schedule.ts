/** Learning-rate schedules, as pure functions of the step (so a resumed run gets the same rates). */

export interface CosineSchedule {
  /** Peak learning rate, reached at the end of warm-up. */
  lr: number;
  /** Floor the cosine decays to at the last step. */
  minLr: number;
  /** Steps of linear warm-up from lr / warmupSteps. */
  warmupSteps: number;
  /** Total optimisation steps. */
  totalSteps: number;
}

/** Linear warm-up then cosine decay to minLr; `step` counts from 0. */
export function cosineLr(step: number, s: CosineSchedule): number {
  if (step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  return s.minLr + 0.5 * (s.lr - s.minLr) * (1 + Math.cos(Math.PI * progress));
}
