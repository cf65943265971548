import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-md p-10 text-center">
      <h1 className="text-2xl font-semibold">403: not for your role</h1>
      <p className="mt-2 text-slate-600">Your account cannot open this page. Ask an admin if you need access.</p>
      <Link className="mt-6 inline-block underline" href="/">
        Go to your home page
      </Link>
    </main>
  );
}
