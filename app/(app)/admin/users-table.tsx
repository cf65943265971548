"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Badge } from "@/app/_components/ui/badge";
import { Button } from "@/app/_components/ui/button";
import { NativeSelect } from "@/app/_components/ui/input";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import type { UserDto } from "@/lib/users/schema";
import { createResetLinkAction, updateUserAction, type IssuedLink } from "./actions";
import { IssuedLinkBox } from "./issued-link";

export function UsersTable({ users, selfId }: { users: UserDto[]; selfId: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [resetLink, setResetLink] = useState<IssuedLink | null>(null);

  function change(userId: string, patch: Record<string, unknown>) {
    startTransition(async () => {
      const result = await updateUserAction(userId, patch);
      setError(result.ok ? null : result.error);
      router.refresh();
    });
  }

  function makeResetLink(userId: string) {
    startTransition(async () => {
      const result = await createResetLinkAction(userId);
      setError(result.ok ? null : result.error);
      setResetLink(result.ok ? result.data : null);
      router.refresh();
    });
  }

  return (
    <>
      {error ? (
        <p role="alert" className="mb-3 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      {resetLink ? (
        <div className="mb-3">
          <IssuedLinkBox key={resetLink.path} link={resetLink} label="Password reset link" />
        </div>
      ) : null}
      <Table>
        <THead>
          <Tr>
            <Th>Email</Th>
            <Th>Name</Th>
            <Th>Role</Th>
            <Th>Status</Th>
            <Th />
          </Tr>
        </THead>
        <TBody>
          {users.map((u) => (
            <Tr key={u.id} data-testid={`user-row-${u.email}`}>
              <Td>{u.email}</Td>
              <Td>{u.name}</Td>
              <Td>
                <NativeSelect
                  aria-label={`Role of ${u.email}`}
                  value={u.role}
                  disabled={pending || u.id === selfId}
                  onChange={(e) => change(u.id, { role: e.target.value })}
                >
                  <option value="labeler">labeler</option>
                  <option value="researcher">researcher</option>
                  <option value="admin">admin</option>
                </NativeSelect>
              </Td>
              <Td>{u.disabled ? <Badge variant="danger">disabled</Badge> : <Badge variant="success">active</Badge>}</Td>
              <Td>
                <div className="flex justify-end gap-2">
                  {u.disabled ? null : (
                    <Button variant="outline" size="sm" disabled={pending} aria-label={`Reset link for ${u.email}`} onClick={() => makeResetLink(u.id)}>
                      Reset link
                    </Button>
                  )}
                  {u.id === selfId ? null : (
                    <Button
                      variant={u.disabled ? "outline" : "destructive"}
                      size="sm"
                      disabled={pending}
                      aria-label={`${u.disabled ? "Enable" : "Disable"} ${u.email}`}
                      onClick={() => change(u.id, { disabled: !u.disabled })}
                    >
                      {u.disabled ? "Enable" : "Disable"}
                    </Button>
                  )}
                </div>
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
    </>
  );
}
