// Calling Usher from a SaaS backend (the README's example, type-checked with the package).
import { createServer } from "node:http";
import { createUsherClient, isUsherError, verifyWebhook } from "@usher/client";

const usher = createUsherClient({
  baseUrl: process.env.USHER_URL ?? "http://127.0.0.1:8080",
  // On AWS the provisioning routes are IAM-authorised: SigV4 with the backend's role.
  iam: { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY!,
         sessionToken: process.env.AWS_SESSION_TOKEN, region: "eu-west-1" },
  token: () => process.env.ADMIN_JWT!, // the signed-in admin's JWT for everything else
});

const { data: tenant } = await usher.api.POST("/v1/tenants", { body: { name: "Acme", owner_email: "owner@acme.test", seat_limit: 25 } });
try {
  await usher.invite(tenant!.id, { email: "ada@example.com", role: "admin" });
} catch (e) {
  if (!isUsherError(e, "already_invited")) throw e;
}
for await (const member of usher.each("/v1/tenants/{tenantId}/members", { path: { tenantId: tenant!.id } })) {
  console.log(member.email, member.role);
}

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => {
    const event = verifyWebhook(Buffer.concat(chunks), req.headers, process.env.USHER_WEBHOOK_SECRET!);
    if (event.type === "usher.invitation.accepted") console.log(`${event.data.resource.email} joined`);
    res.writeHead(204).end();
  });
}).listen(3000);
