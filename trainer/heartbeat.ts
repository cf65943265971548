/**
 * A worker job heartbeats its run between steps, and another worker takes the run over as dead
 * after WORKER_HEARTBEAT_TIMEOUT_S (30 s) without one. Loops that can outlast that within one step
 * (validation passes over many pairs, PPO's rollout, pretraining's and SFT's evaluations) await a
 * heartbeat every ITEMS_PER_HEARTBEAT items as well; a cancel throws from there. It must be
 * awaited inside the loop: tfjs on wasm blocks the event loop, so a timer would not fire.
 */
export type Heartbeat = () => Promise<void>;

/** Pairs, responses, windows or examples done between two heartbeats. */
export const ITEMS_PER_HEARTBEAT = 64;

/**
 * Counts items done and awaits `heartbeat` each time `per` more are done (after the batch that
 * reaches them); `per` defaults to ITEMS_PER_HEARTBEAT.
 */
export function heartbeatEvery(heartbeat: Heartbeat | undefined, per = ITEMS_PER_HEARTBEAT): (items: number) => Promise<void> {
  let since = 0;
  return async (items) => {
    since += items;
    if (!heartbeat || since < per) return;
    since = 0;
    await heartbeat();
  };
}
