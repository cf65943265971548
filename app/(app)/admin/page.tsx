import type { Metadata } from "next";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { requireRole } from "@/lib/auth/guard";
import { listUsers, toUserDto } from "@/lib/users/users";
import { CreateUserForm } from "./create-user-form";
import { UsersTable } from "./users-table";

export const metadata: Metadata = { title: "Users" };

export default async function AdminHome() {
  const admin = await requireRole("admin");
  const users = (await listUsers()).map(toUserDto);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Users</h1>
      <Card>
        <CardHeader>
          <CardTitle>Add a user</CardTitle>
          <CardDescription>They sign in with this email and password; ask them to change it.</CardDescription>
        </CardHeader>
        <CardContent>
          <CreateUserForm />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>All users</CardTitle>
          <CardDescription>Disabling a user signs them out everywhere at their next request.</CardDescription>
        </CardHeader>
        <CardContent>
          <UsersTable users={users} selfId={admin.id} />
        </CardContent>
      </Card>
    </div>
  );
}
