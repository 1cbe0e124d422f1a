// The two back-end routes connect() calls, for an Express app. Copy this
// file, mount the router behind your authentication, and fill in
// `currentUser` and `saveIntegration` from your own app.
//
//   import express from 'express';
//   import { komboRoutes } from './kombo-routes.mjs';
//   app.use(komboRoutes({
//     apiKey: process.env.KOMBO_API_KEY,
//     currentUser: (req) => ({ email: req.user.email, company: req.user.company.name, companyId: req.user.company.id }),
//     saveIntegration: (req, integration) => db.integrations.upsert(req.user.company.id, integration),
//   }));
//
// The browser side is one call: `await connectHris()`.
import express from 'express';

const CATEGORIES = new Set(['HRIS', 'ATS', 'ASSESSMENT', 'LMS']);

/**
 * @param {object} config
 * @param {string} config.apiKey Kombo API key (keep it on the server).
 * @param {string} [config.apiUrl] Kombo's API: EU by default, 'https://api.us.kombo.dev/v1' for the US.
 * @param {(req) => {email: string, company: string, companyId: string}} config.currentUser
 * @param {(req, integration: object) => Promise<void> | void} [config.saveIntegration]
 */
export function komboRoutes({ apiKey, apiUrl = 'https://api.kombo.dev/v1', currentUser, saveIntegration = () => {} }) {
  const router = express.Router();
  const kombo = async (path, body) => {
    const response = await fetch(apiUrl + path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await response.json().catch(() => null);
    if (!response.ok || json?.status !== 'success') {
      throw new Error(`Kombo ${path} answered ${response.status}: ${JSON.stringify(json?.error ?? json)}`);
    }
    return json.data;
  };

  // connect() sends {"integration_category": "HRIS", ...initBody} as JSON.
  router.post('/integrations/kombo/init', express.json(), async (req, res) => {
    const { integration_category: category = 'HRIS', integration_tool, language } = req.body ?? {};
    if (!CATEGORIES.has(category)) return res.status(400).json({ error: 'unknown integration_category' });
    const user = currentUser(req);
    try {
      const { link } = await kombo('/connect/create-link', {
        end_user_email: user.email,
        end_user_organization_name: user.company,
        end_user_origin_id: user.companyId,
        integration_category: category,
        integration_tool,
        language,
      });
      res.json({ link });
    } catch (error) {
      console.error(error);
      res.status(502).json({ error: 'Could not create a Kombo Connect link.' });
    }
  });

  // connect() sends {"token": "..."} as JSON once the user finished the flow.
  router.post('/integrations/kombo/activate', express.json(), async (req, res) => {
    const token = req.body?.token;
    if (typeof token !== 'string' || !token) return res.status(400).json({ error: 'token missing' });
    try {
      const integration = await kombo('/connect/activate-integration', { token });
      await saveIntegration(req, integration);
      res.json(integration);
    } catch (error) {
      console.error(error);
      res.status(502).json({ error: 'Could not activate the integration.' });
    }
  });

  return router;
}
