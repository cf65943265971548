/** Badge colour of each run status. */
export const statusVariant = { queued: "default", running: "warning", succeeded: "success", failed: "danger", cancelled: "default" } as const;
