import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { inlineTapTarget } from "@/app/_components/ui/tap-target";
import { requireRole } from "@/lib/auth/guard";
import { flashResult } from "@/lib/forms/form-action";
import { linkLifetime, listPendingLinks } from "@/lib/users/account-links";
import { listUsers, toUserDto } from "@/lib/users/users";
import { CreateUserForm } from "./create-user-form";
import { InviteForm } from "./invite-form";
import { PendingLinks } from "./pending-links";
import { UsersTable } from "./users-table";

export const metadata: Metadata = { title: "Users" };

export default async function AdminHome() {
  const admin = await requireRole("admin");
  const [users, links, added, issued] = await Promise.all([
    listUsers(),
    listPendingLinks(),
    flashResult("new-user", z.object({ email: z.string() })),
    flashResult("invite", z.object({ email: z.string(), path: z.string().startsWith("/invite/"), lifetime: z.string() })),
  ]);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Users</h1>
      <Card>
        <CardHeader>
          <CardTitle>Invite someone</CardTitle>
          <CardDescription>
            You get a link to send them (it works once, for {linkLifetime.invite.label}); they choose their own name and password. Every change
            here is in the <Link className={`underline ${inlineTapTarget}`} href="/admin/audit">audit log</Link>.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <InviteForm issued={issued} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>All users</CardTitle>
          <CardDescription>
            Role changes and disabling take effect at the user&apos;s next request. &quot;Reset link&quot; gives you a one-time link (valid{" "}
            {linkLifetime.password_reset.label}) with which the user sets a new password.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <UsersTable users={users.map(toUserDto)} selfId={admin.id} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Pending links</CardTitle>
          <CardDescription>Invites and reset links not yet used. Revoking one makes it say so to whoever opens it.</CardDescription>
        </CardHeader>
        <CardContent>
          <PendingLinks links={links.map((l) => ({ id: l.id, kind: l.kind, email: l.email, role: l.role, createdBy: l.createdBy, expiresAt: l.expiresAt.toISOString() }))} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Add a user with a password</CardTitle>
          <CardDescription>For scripts and test accounts: you choose the password and pass it on yourself. Prefer an invite.</CardDescription>
        </CardHeader>
        <CardContent>
          <CreateUserForm added={added} />
        </CardContent>
      </Card>
    </div>
  );
}
