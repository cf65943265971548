import Link from "next/link";
import { tapTarget } from "@/app/_components/ui/tap-target";

/**
 * The 403 and 404 pages' words. Inside the app's layout they sit in its <main>; the root's 404
 * (an address that matches no page) has no layout around it and wraps them in its own, so every
 * page has one main landmark.
 */
export function FallbackMessage({ title, text }: { title: string; text: string }) {
  return (
    <div className="mx-auto max-w-md p-10 text-center">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <p className="mt-2 text-slate-600">{text}</p>
      <Link className={`mt-6 inline-block underline ${tapTarget}`} href="/">
        Go to your home page
      </Link>
    </div>
  );
}

export const notFoundText = { title: "Not found", text: "There is nothing at this address." };
export const forbiddenText = { title: "403: not for your role", text: "Your account cannot open this page. Ask an admin if you need access." };
