// panva's oidc-provider with its defaults, for the OIDC browser tests (conftest.py starts it):
// discovery at /.well-known/openid-configuration, keys at /jwks, ID tokens that carry only `sub`
// (conformIdTokenClaims), userinfo with the email, CORS on the token endpoint, and the
// development login and consent pages (devInteractions: any login, any password).
//
// One public client: token_endpoint_auth_method "none", PKCE (S256), the redirect and
// post-logout redirect URIs of the Usher under test. Every account's email is its login (an
// address), verified; its name is made from the address ("owner-1a2b@x" -> "Owner 1a2b").
//
// Environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_REDIRECT_URIS and OIDC_POST_LOGOUT_REDIRECT_URIS
// (comma-separated). Prints "oidc-provider listening on <issuer>" once it answers.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const list = (name) => (process.env[name] || "").split(",").map((s) => s.trim()).filter(Boolean);

function nameOf(email) {
  return email.split("@")[0].split(/[-._]/).filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code"],
    response_types: ["code"],
    redirect_uris: list("OIDC_REDIRECT_URIS"),
    post_logout_redirect_uris: list("OIDC_POST_LOGOUT_REDIRECT_URIS"),
  }],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: nameOf(id) };
      },
    };
  },
});

provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
