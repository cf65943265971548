"use client";
import { useEffect, useRef } from "react";

/**
 * Calls `refetch` once when `live` turns false, so a view that polled while the run was live
 * also gets what the run wrote after its last poll.
 */
export function useRefetchWhenDone(live: boolean, refetch: () => unknown): void {
  const wasLive = useRef(live);
  useEffect(() => {
    if (wasLive.current && !live) void refetch();
    wasLive.current = live;
  }, [live, refetch]);
}
