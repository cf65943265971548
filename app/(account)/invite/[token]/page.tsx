import type { Metadata } from "next";
import { inspectAccountLink } from "@/lib/users/account-links";
import { LinkPage } from "../../link-page";

// The token is in the URL: keep it out of Referer headers sent to any other page.
export const metadata: Metadata = { title: "Accept invite", referrer: "no-referrer" };

/** Public: whoever holds the token may use it once; an unknown, used or expired one gets a message. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await inspectAccountLink({ kind: "invite", token });
  const role = link.state === "valid" ? link.role : null;
  return (
    <LinkPage
      heading="Join Pairwise"
      intro={`You have been invited${role ? ` as a ${role}` : ""}. Choose your name and a password to create your account.`}
      link={link}
      token={token}
    />
  );
}
