import Link from "next/link";
import { tapTarget } from "@/app/_components/ui/tap-target";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-md p-10 text-center">
      <h1 className="text-2xl font-semibold">403: not for your role</h1>
      <p className="mt-2 text-slate-600">Your account cannot open this page. Ask an admin if you need access.</p>
      <Link className={`mt-6 inline-block underline ${tapTarget}`} href="/">
        Go to your home page
      </Link>
    </main>
  );
}
