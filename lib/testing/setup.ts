/** Per-file Vitest setup: close the shared database pool so the worker process can exit. */
import { afterAll } from "vitest";
import { closeDatabase } from "@/db/client";

afterAll(async () => {
  await closeDatabase();
});
