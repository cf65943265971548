/**
 * Bradley-Terry for one pair: P(A > B) = sigmoid(s_A - s_B). With only one pair the fit
 * has one parameter, d = s_A - s_B, and its maximum-likelihood value is infinite as soon as
 * every vote agrees, so a Normal(0, priorSd^2) prior on d keeps it finite and shrinks
 * small vote counts towards 0.5. A tie counts as half a win for each side (no separate tie
 * parameter). d is the MAP estimate, found by Newton's method on
 *
 *   log p(d) = wA * log sigmoid(d) + wB * log sigmoid(-d) - d^2 / (2 priorSd^2),
 *
 * which is strictly concave, so Newton converges from d = 0 in a few steps.
 */
export function fitPairBradleyTerry({ winsA, winsB, ties = 0, priorSd = 1 }: { winsA: number; winsB: number; ties?: number; priorSd?: number }): {
  logit: number;
  pAWins: number;
} {
  const wA = winsA + ties / 2;
  const wB = winsB + ties / 2;
  const precision = 1 / (priorSd * priorSd);
  let d = 0;
  for (let i = 0; i < 50; i++) {
    const p = sigmoid(d);
    const gradient = wA * (1 - p) - wB * p - precision * d;
    const curvature = -(wA + wB) * p * (1 - p) - precision;
    const step = gradient / curvature;
    d -= step;
    if (Math.abs(step) < 1e-12) break;
  }
  return { logit: d, pAWins: sigmoid(d) };
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
