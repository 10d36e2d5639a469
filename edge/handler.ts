/**
 * Entry point of the Lambda@Edge bundle (`index.handler`). `__SECURITY_HEADERS__` is not a runtime
 * value: edge/bundle.ts replaces it with the stack's header table through esbuild's `define`, because
 * Lambda@Edge has no environment variables.
 */
import { createSecurityHeadersHandler, HeaderTable } from "./securityHeaders";

declare const __SECURITY_HEADERS__: HeaderTable;

export const handler = createSecurityHeadersHandler(__SECURITY_HEADERS__);
