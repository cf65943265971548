import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/guard";
import { homePathFor } from "@/lib/users/users";

export default async function Home() {
  const user = await requireUser();
  redirect(homePathFor(user.role));
}
