"use client";
import { ErrorNotice } from "@/app/_components/error-notice";
import "./globals.css";

/** The root layout failed: this replaces the whole document, so it brings its own html, title and styles. */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body>
        <title>Something went wrong · Pairwise</title>
        <main className="p-6 py-16">
          <ErrorNotice error={error} retry={retry} />
        </main>
      </body>
    </html>
  );
}
