"use client";
import { ErrorNotice } from "@/app/_components/error-notice";

/** The signed-in layout itself failed (reading the user), or a page outside it (sign-in, invite links). */
export default function RootError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <main className="p-6 py-16">
      <ErrorNotice error={error} retry={retry} />
    </main>
  );
}
