"use client";
import { ErrorNotice } from "@/app/_components/error-notice";

/** A page that failed on the server: the header and navigation stay, the page area says so. */
export default function PageError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorNotice error={error} retry={retry} />;
}
