"use client";
import { QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { z } from "zod";
import { getQueryClient } from "@/lib/query/client";

// zod compiles object parsers with Function() when it may, and probes for that with
// Function(""). The page CSP (lib/security/csp.ts) forbids eval, so the probe fails and
// is reported as a violation; in the browser zod is told not to try.
z.config({ jitless: true });

export function Providers({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={getQueryClient()}>{children}</QueryClientProvider>;
}
