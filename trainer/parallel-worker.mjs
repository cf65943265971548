// Entry of a data-parallel worker thread (trainer/parallel.ts). Worker threads do not inherit
// the parent's TypeScript loader, so this plain module registers tsx before loading the worker.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
await import("./parallel-worker.ts");
