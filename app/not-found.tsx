import Link from "next/link";
import { tapTarget } from "@/app/_components/ui/tap-target";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-md p-10 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-2 text-slate-600">There is nothing at this address.</p>
      <Link className={`mt-6 inline-block underline ${tapTarget}`} href="/">
        Go to your home page
      </Link>
    </main>
  );
}
