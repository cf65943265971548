import type { Metadata } from "next";
import { inspectAccountLink } from "@/lib/users/account-links";
import { LinkPage } from "../../link-page";

// The token is in the URL: keep it out of Referer headers sent to any other page.
export const metadata: Metadata = { title: "Set a new password", referrer: "no-referrer" };

/** Public: whoever holds the token may use it once; an unknown, used or expired one gets a message. */
export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await inspectAccountLink({ kind: "password_reset", token });
  return <LinkPage heading="Set a new password" intro="Choose a new password for your account." link={link} token={token} />;
}
