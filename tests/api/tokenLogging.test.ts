/**
 * Tokens never reach a log. The viewer's token travels in the `Authorization` header
 * (HTTP API, and any request through CloudFront) and in the WebSocket handshake's query string
 * (`?token=`). So: the WAF logging configuration redacts `authorization` and cookies, and no API
 * Gateway access-log format or execution log writes a header, the query string or a request override.
 * The authorizer's own log lines are tested in authorizer.test.ts.
 */
import { strict as assert } from "assert";
import { httpAccessLogFormat, websocketAccessLogFormat } from "../../components/api/apiSpecs";
import { ProgramRun, runProgram, stackNames } from "../../offline/harness";

/** Headers whose values are credentials: WAF must redact them in every log record. */
export const REDACTED_HEADERS = ["authorization", "cookie"];

/**
 * Access-log variables that can carry the token or another credential: request headers, the query
 * string (`$request.querystring.token`, `$method.request.querystring`), request/response overrides,
 * the request body, and the authorizer's identity source.
 */
const CREDENTIAL_VARIABLE = /\$(request|method\.request|input)\.|requestOverride|responseOverride|identitySource|\.querystring|\.header\.|\.body\b|authorizer\.token/i;

/** Every `$…` variable of an access-log format. */
export function logVariables(format: string): string[] {
    return [...format.matchAll(/\$[A-Za-z][\w.$-]*/g)].map((m) => m[0]);
}

export function credentialVariables(format: string): string[] {
    return logVariables(format).filter((v) => CREDENTIAL_VARIABLE.test(v));
}

describe("api: access-log formats write no token", () => {
    for (const [name, format] of [
        ["HTTP", httpAccessLogFormat()],
        ["WebSocket", websocketAccessLogFormat()],
    ]) {
        it(`${name}: no header, query string, body or override variable`, () => {
            assert.ok(logVariables(format).length > 5, "the format has variables");
            assert.deepEqual(credentialVariables(format), []);
        });
    }

    it("the check catches each way a token could be logged", () => {
        for (const v of [
            "$request.querystring.token",
            "$request.header.Authorization",
            "$context.requestOverride.querystring.token",
            "$context.requestOverride.header.authorization",
            "$context.responseOverride.header.x",
            "$method.request.querystring.token",
            "$input.params('token')",
            "$context.authorizer.identitySource",
        ]) {
            assert.deepEqual(credentialVariables(JSON.stringify({ x: v })).length, 1, v);
        }
    });
});

for (const stack of stackNames()) {
    describe(`token logging on stack ${stack}`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram(stack);
        });

        it("every API Gateway stage logs with a format free of credential variables", () => {
            const stages = run.ofType("aws:apigatewayv2/stage:Stage");
            assert.equal(stages.length, 2, "the HTTP and WebSocket stages");
            for (const s of stages) {
                const format = s.inputs.accessLogSettings?.format;
                assert.ok(format, `${s.name} has an access log`);
                assert.deepEqual(credentialVariables(format), [], s.name);
            }
        });

        it("no stage traces request data in its execution logs (it would log the query string)", () => {
            for (const s of run.ofType("aws:apigatewayv2/stage:Stage")) {
                const route = s.inputs.defaultRouteSettings ?? {};
                assert.notEqual(route.dataTraceEnabled, true, s.name);
                assert.ok([undefined, "OFF", "ERROR"].includes(route.loggingLevel), `${s.name} logs at ${route.loggingLevel}`);
                for (const r of s.inputs.routeSettings ?? []) {
                    assert.notEqual(r.dataTraceEnabled, true, `${s.name} ${r.routeKey}`);
                    assert.ok([undefined, "OFF", "ERROR"].includes(r.loggingLevel), `${s.name} ${r.routeKey}`);
                }
            }
        });

        it("every WAF logging configuration redacts the authorization header and cookies", () => {
            const acls = run.ofType("aws:wafv2/webAcl:WebAcl");
            const configs = run.ofType("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
            assert.equal(configs.length, acls.length, "each web ACL logs");
            for (const c of configs) {
                const redacted = (c.inputs.redactedFields ?? []).map((f: any) => f.singleHeader?.name?.toLowerCase()).filter(Boolean);
                for (const h of REDACTED_HEADERS) {
                    assert.ok(redacted.includes(h), `${c.name} does not redact ${h}: ${JSON.stringify(c.inputs.redactedFields)}`);
                }
            }
        });
    });
}

