import type { Metadata } from "next";
import { z } from "zod";
import { Badge } from "@/app/_components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/app/_components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/app/_components/ui/table";
import { inlineTapTarget } from "@/app/_components/ui/tap-target";
import { requireRole, tokenRoles } from "@/lib/auth/guard";
import { listApiTokens } from "@/lib/auth/tokens";
import { flashResult } from "@/lib/forms/form-action";
import { CreateTokenForm, RevokeTokenButton } from "./token-forms";

export const metadata: Metadata = { title: "API tokens" };

const fmt = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) : "never");

export default async function TokensPage() {
  const user = await requireRole(...tokenRoles);
  const [tokens, created] = await Promise.all([listApiTokens({ userId: user.id }), flashResult("token", z.object({ token: z.string().startsWith("pw_") }))]);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">API tokens</h1>
      <Card>
        <CardHeader>
          <CardTitle>New token</CardTitle>
          <CardDescription>
            Send it as <code>Authorization: Bearer &lt;token&gt;</code> to the JSON API (<a className={`underline ${inlineTapTarget}`} href="/api/v1/openapi.json">OpenAPI</a>). It is shown once.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <CreateTokenForm created={created} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Your tokens</CardTitle>
        </CardHeader>
        <CardContent>
          {tokens.length === 0 ? (
            <p className="text-sm text-slate-600">No tokens yet.</p>
          ) : (
            <Table>
              <THead>
                <Tr>
                  <Th>Name</Th>
                  <Th>Starts with</Th>
                  <Th>Created</Th>
                  <Th>Last used</Th>
                  <Th>Status</Th>
                  <Th />
                </Tr>
              </THead>
              <TBody>
                {tokens.map((t) => (
                  <Tr key={t.id}>
                    <Td>{t.name}</Td>
                    <Td className="font-mono text-xs">{t.prefix}…</Td>
                    <Td>{fmt(t.createdAt)}</Td>
                    <Td>{fmt(t.lastUsedAt)}</Td>
                    <Td>{t.revokedAt ? <Badge variant="danger">revoked</Badge> : <Badge variant="success">active</Badge>}</Td>
                    <Td className="text-right">{t.revokedAt ? null : <RevokeTokenButton tokenId={t.id} name={t.name} />}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
