// The back-end routes connect() and reconnect() call, for an Express app.
// Copy this file, mount the router behind your authentication, and fill in
// the hooks from your own app.
//
//   import express from 'express';
//   import { komboRoutes } from './kombo-routes.mjs';
//   app.use(komboRoutes({
//     apiKey: process.env.KOMBO_API_KEY,
//     currentUser: (req) => ({ email: req.user.email, company: req.user.company.name, companyId: req.user.company.id }),
//     saveIntegration: (req, integration) => db.integrations.upsert(req.user.company.id, integration),
//     ownsIntegration: (req, id) => db.integrations.exists(req.user.company.id, id),
//   }));
//
// The browser side is one call: `await connectHris()` (or `reconnect(id)`).
// The same patterns, with sessions, a pending record before Kombo is asked
// and a retry of what could not be stored, are in the demo's Rust back-end
// (www/server/src/backend.rs and activation.rs).
import express from 'express';

const CATEGORIES = new Set(['HRIS', 'ATS', 'ASSESSMENT', 'LMS']);

/** An error answer: `{error: {code, message}}`. */
const fail = (res, status, code, message) => res.status(status).json({ error: { code, message } });

/**
 * @param {object} config
 * @param {string} config.apiKey Kombo API key (keep it on the server).
 * @param {string} [config.apiUrl] Kombo's API: EU by default, 'https://api.us.kombo.dev/v1' for the US.
 * @param {(req) => {email: string, company: string, companyId: string}} config.currentUser
 * @param {(req, integration: object) => Promise<void> | void} [config.saveIntegration]
 *   Stores the integration; called again for a reconnection or a retried activation, so an upsert
 *   by `integration.id`.
 * @param {(req, integrationId: string) => Promise<boolean> | boolean} [config.ownsIntegration]
 *   Whether the signed-in customer has this integration: the relink route answers 404 otherwise
 *   (an id is not a secret). Without it, relink is refused.
 */
export function komboRoutes({
  apiKey, apiUrl = 'https://api.kombo.dev/v1', currentUser, saveIntegration = () => {}, ownsIntegration = () => false,
}) {
  const router = express.Router();
  const kombo = async (method, path, body) => {
    const response = await fetch(apiUrl + path, {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const json = await response.json().catch(() => null);
    if (!response.ok || json?.status !== 'success') {
      const error = new Error(`Kombo ${path} answered ${response.status}: ${JSON.stringify(json?.error ?? json)}`);
      error.status = response.status;
      throw error;
    }
    return json.data;
  };
  // Kombo refusing the request (4xx) is the caller's problem; anything else, Kombo's (502).
  // The details, URLs included, go to the log, not to the page.
  const komboFailed = (res, error) => {
    console.error(error);
    if (error.status >= 400 && error.status < 500) return fail(res, 400, 'kombo_rejected', 'Kombo refused the request.');
    fail(res, 502, 'kombo_unavailable', 'Kombo could not be reached. Try again in a moment.');
  };

  // connect() sends {"integration_category": "HRIS", ...initBody} as JSON.
  router.post('/integrations/kombo/init', express.json(), async (req, res) => {
    const { integration_category: category = 'HRIS', integration_tool, language } = req.body ?? {};
    if (!CATEGORIES.has(category)) return fail(res, 422, 'invalid_body', 'unknown integration_category');
    const user = currentUser(req);
    try {
      const { link } = await kombo('POST', '/connect/create-link', {
        end_user_email: user.email,
        end_user_organization_name: user.company,
        end_user_origin_id: user.companyId,
        integration_category: category,
        integration_tool,
        language,
      });
      res.json({ link });
    } catch (error) {
      komboFailed(res, error);
    }
  });

  // Activations in progress, by customer and token: concurrent duplicates
  // (a double submit, a retry racing the first try) share one run.
  const running = new Map();
  const activate = async (req, token) => {
    const user = currentUser(req);
    const integration = await kombo('GET', `/connect/integration-by-token/${encodeURIComponent(token)}`);
    // The token proves a flow finished, not whose: another customer's
    // token must not attach their integration to this one.
    if (integration.end_user_origin_id !== String(user.companyId)) return { forbidden: true };
    await saveIntegration(req, integration);
    return { integration };
  };

  // connect() sends {"token": "..."} as JSON once the user finished the flow.
  router.post('/integrations/kombo/activate', express.json(), async (req, res) => {
    const token = req.body?.token;
    if (typeof token !== 'string' || !token) return fail(res, 422, 'invalid_body', 'token missing');
    const key = `${currentUser(req).companyId}\n${token}`;
    if (!running.has(key)) running.set(key, activate(req, token).finally(() => running.delete(key)));
    try {
      const { integration, forbidden } = await running.get(key);
      if (forbidden) return fail(res, 403, 'wrong_organization', "This token belongs to another organization's integration.");
      res.json(integration);
    } catch (error) {
      komboFailed(res, error);
    }
  });

  // reconnect(id) sends {"integration_id": "...", ...initBody} as JSON.
  router.post('/integrations/kombo/relink', express.json(), async (req, res) => {
    const { integration_id: id, language } = req.body ?? {};
    if (typeof id !== 'string' || !id || !(await ownsIntegration(req, id))) {
      return fail(res, 404, 'not_found', 'No integration with this id.');
    }
    try {
      const { link } = await kombo('POST', `/integrations/${encodeURIComponent(id)}/relink`, { language });
      res.json({ link });
    } catch (error) {
      komboFailed(res, error);
    }
  });

  return router;
}
