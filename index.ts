/**
 * FloDrama on AWS: the composition root. It loads and validates the stack config (nothing is created
 * when it is wrong), builds the explicit providers, then the components in dependency order, and
 * exports the stack outputs. Components live in components/ (AWS) and k8s/ (Kubernetes).
 */
import { loadConfig } from "./lib/config";
import { createAwsProviders } from "./lib/providers";

const cfg = loadConfig();
const providers = createAwsProviders(cfg);
void providers; // consumed by the components wired below

// ---- network and cluster (issue 4) -------------------------------------------------------------------

// ---- cluster services: namespaces, storage, add-ons (issue 4) ----------------------------------------

// ---- data tier (issue 5) -------------------------------------------------------------------------------

// ---- workloads (issue 6) -------------------------------------------------------------------------------

// ---- CDN site (issue 3) -------------------------------------------------------------------------------

// ---- identity and recommendations (issue 7) -----------------------------------------------------------

// ---- API Gateway (issue 7) ------------------------------------------------------------------------------

// ---- monitoring (issue 8) -------------------------------------------------------------------------------

// ---- outputs --------------------------------------------------------------------------------------------
export const stack = cfg.stack;
export const region = cfg.region;
export const environment = cfg.environment;
