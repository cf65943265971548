"use client";
import { useEffect, useMemo, useRef } from "react";

/** Milliseconds the page was visible and focused since `key` changed (a new task). */
export function useActiveTime(key: string | null) {
  const total = useRef(0);
  const since = useRef<number | null>(null);

  useEffect(() => {
    total.current = 0;
    since.current = document.visibilityState === "visible" && document.hasFocus() ? performance.now() : null;
  }, [key]);

  useEffect(() => {
    const pause = () => {
      if (since.current !== null) total.current += performance.now() - since.current;
      since.current = null;
    };
    const resume = () => {
      if (since.current === null && document.visibilityState === "visible") since.current = performance.now();
    };
    const onVisibility = () => (document.visibilityState === "visible" ? resume() : pause());
    window.addEventListener("blur", pause);
    window.addEventListener("focus", resume);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.removeEventListener("blur", pause);
      window.removeEventListener("focus", resume);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, []);

  return useMemo(
    () => ({
      current: () => Math.round(total.current + (since.current !== null ? performance.now() - since.current : 0)),
    }),
    [],
  );
}
