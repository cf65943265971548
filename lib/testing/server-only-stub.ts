// Stands in for the `server-only` package under Vitest, which runs outside React's server bundle.
export {};
