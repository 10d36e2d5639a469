/**
 * FloDrama on AWS: the composition root. It loads and validates the stack config (nothing is created
 * when it is wrong), builds the explicit providers, then the components in dependency order, and
 * exports the stack outputs. Components live in components/ (AWS) and k8s/ (Kubernetes).
 */
import { loadConfig } from "./lib/config";
import { createAwsProviders } from "./lib/providers";

const cfg = loadConfig();
const providers = createAwsProviders(cfg);
void providers; // consumed by the components as they are wired in below

// ---- outputs ---------------------------------------------------------------------------------------
export const stack = cfg.stack;
export const region = cfg.region;
export const environment = cfg.environment;
