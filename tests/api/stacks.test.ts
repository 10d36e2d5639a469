/**
 * The API as wired in index.ts, for both stack files: it binds the workloads' real Services, waits for
 * the cluster add-ons, authorizes with the identity component's pool and client, allows the CDN
 * site's origin, grants the Watch Party IRSA role, and exports the URLs the frontend needs.
 */
import { strict as assert } from "assert";
import { HTTP_STAGE_NAME, LISTENER_PORTS, WEBSOCKET_STAGE_NAME } from "../../components/api/apiSpecs";
import { ProgramRun, RecordedResource, runProgram, stackNames } from "../../offline/harness";
import { manifestOf } from "../../offline/kubeSchema";
import { validateTargetGroupBinding } from "./targetGroupBindingCrd";

const TGB = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding";

for (const stack of stackNames()) {
    describe(`api wired on stack ${stack}`, () => {
        let run: ProgramRun;
        let services: Array<{ name: string; expose: string; role: string; port: number }>;
        let api: RecordedResource;
        const under = (type: string) => run.descendants(api.urn).filter((r) => r.type === type);

        before(async () => {
            run = await runProgram(stack);
            services = JSON.parse(run.config["flodrama:services"]);
            api = run.one("flodrama:api:ApiGateway", "api");
        });

        it("binds the target groups to the workloads' Services, on the cluster's provider, after the add-ons", () => {
            const bindings = under(TGB);
            const exposed = services.filter((s) => s.expose !== "none");
            assert.equal(bindings.length, exposed.length);
            const k8sServices = run.kubernetes("Service");
            for (const b of bindings) {
                const obj = manifestOf(b);
                assert.deepEqual(validateTargetGroupBinding(obj), [], b.name);
                const svc = k8sServices.find((s) => s.state.metadata?.name === obj.spec.serviceRef.name && s.inputs.metadata?.namespace === obj.metadata.namespace);
                assert.ok(svc, `binding ${b.name} names a Service the program creates (${obj.spec.serviceRef.name})`);
                assert.ok(
                    (svc!.inputs.spec.ports as any[]).some((p) => p.name === obj.spec.serviceRef.port),
                    `Service ${obj.spec.serviceRef.name} has a port named ${obj.spec.serviceRef.port}`,
                );
                assert.equal(run.providerOf(b)?.type, "pulumi:providers:kubernetes");
                assert.ok(b.dependencies.length > 0);
            }
            const helm = run.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && /load-balancer|lb-controller|aws-load-balancer/i.test(r.name));
            assert.ok(helm.length >= 1, "the LB controller release exists");
            for (const b of bindings) {
                assert.ok(helm.some((h) => b.dependencies.includes(h.urn)), `${b.name} waits for the LB controller`);
            }
        });

        it("puts the NLB and the VPC link in the VPC's private subnets", () => {
            const nlb = run.one("aws:lb/loadBalancer:LoadBalancer", "api-nlb");
            const vpc = run.one("awsx:ec2:Vpc");
            assert.deepEqual(nlb.inputs.subnets, vpc.state.privateSubnetIds);
            assert.deepEqual(run.one("aws:apigatewayv2/vpcLink:VpcLink").inputs.subnetIds, vpc.state.privateSubnetIds);
            assert.equal(nlb.inputs.internal, true);
            const listeners = under("aws:lb/listener:Listener").map((l) => l.inputs.port).sort();
            assert.deepEqual(listeners, Object.values(LISTENER_PORTS).sort());
        });

        it("lets the NLB reach the exposed pods: their ingress NetworkPolicy admits the NLB's subnets on the bound port", () => {
            // IP targets without client IP preservation see the NLB's private addresses as the source, and
            // those sit in the subnets the NLB is in: the private subnets of the VPC's layout.
            const nlb = run.one("aws:lb/loadBalancer:LoadBalancer", "api-nlb");
            const vpc = run.one("awsx:ec2:Vpc");
            assert.deepEqual(nlb.inputs.subnets, vpc.state.privateSubnetIds);
            const nlbCidrs: string[] = (vpc.inputs.subnetSpecs as any[]).find((s) => s.type === "Private").cidrBlocks;
            assert.equal(nlbCidrs.length, (nlb.inputs.subnets as string[]).length);
            const policies = run.kubernetes("NetworkPolicy");
            for (const b of under(TGB)) {
                const tgb = manifestOf(b);
                const port = tgb.spec.networking.ingress[0].ports[0].port;
                const labels = run.kubernetes("Service").find((s) => s.state.metadata?.name === tgb.spec.serviceRef.name)!.inputs.spec.selector;
                const selecting = policies.filter((p) => {
                    const sel = p.inputs.spec.podSelector?.matchLabels ?? {};
                    return p.inputs.metadata?.namespace === tgb.metadata.namespace && Object.entries(sel).every(([k, v]) => labels[k] === v);
                });
                for (const cidr of nlbCidrs) {
                    const admitted = selecting.some((p) =>
                        (p.inputs.spec.ingress ?? []).some(
                            (rule: any) =>
                                (rule.ports ?? []).some((rp: any) => rp.port === port && (rp.protocol ?? "TCP") === "TCP") &&
                                (rule.from ?? []).some((f: any) => f.ipBlock && cidrContains(f.ipBlock.cidr, cidr) && !(f.ipBlock.except ?? []).some((e: string) => cidrOverlaps(e, cidr))),
                        ),
                    );
                    assert.ok(admitted, `${tgb.spec.serviceRef.name}: no ingress NetworkPolicy admits the NLB subnet ${cidr} on TCP ${port}`);
                }
            }
        });

        it("authorizes with the identity component's viewer pool and SPA client, and allows the site's origin (plus configured extras)", async () => {
            const jwt = run.one("aws:apigatewayv2/authorizer:Authorizer", "api-http-jwt");
            assert.equal(jwt.inputs.jwtConfiguration.issuer, run.outputs.viewerIssuerUrl);
            assert.deepEqual(jwt.inputs.jwtConfiguration.audiences, [run.outputs.spaClientId]);
            const fn = run.one("aws:lambda/function:Function", "api-ws-authorizer");
            assert.deepEqual(fn.inputs.environment.variables, { ISSUER: run.outputs.viewerIssuerUrl, AUDIENCE: run.outputs.spaClientId });
            const cors = run.one("aws:apigatewayv2/api:Api", "api-http").inputs.corsConfiguration;
            assert.deepEqual(cors.allowOrigins, [run.outputs.siteUrl, ...JSON.parse(run.config["flodrama:api"]).extraCorsOrigins]);
        });

        it("grants ManageConnections to the Watch Party ServiceAccount's IRSA role only", () => {
            const grant = run.one("aws:iam/rolePolicy:RolePolicy", "api-ws-manage-connections");
            const watchParty = services.find((s) => s.expose === "websocket-api")!;
            const roles = run.ofType("aws:iam/role:Role").filter((r) => r.state.name === grant.inputs.role);
            assert.equal(roles.length, 1, `one role named ${grant.inputs.role}`);
            const trust = JSON.parse(roles[0].inputs.assumeRolePolicy);
            const sub = Object.entries(trust.Statement[0].Condition.StringEquals).find(([k]) => k.endsWith(":sub"))![1];
            assert.match(String(sub), new RegExp(`^system:serviceaccount:flodrama:${watchParty.name}`));
            const exec = run.one("aws:apigatewayv2/api:Api", "api-ws").state.executionArn;
            for (const r of JSON.parse(grant.inputs.policy).Statement[0].Resource) {
                assert.ok(String(r).startsWith(`${exec}/${WEBSOCKET_STAGE_NAME}/`), r);
            }
        });

        it("writes IAM policies with no wildcard action and resources of this stack only", () => {
            const policies = under("aws:iam/rolePolicy:RolePolicy");
            assert.equal(policies.length, 2, policies.map((p) => p.name).join(", "));
            const own = [run.one("aws:apigatewayv2/api:Api", "api-ws").state.executionArn, run.one("aws:cloudwatch/logGroup:LogGroup", "api-ws-authorizer-logs").state.arn];
            for (const p of policies) {
                for (const st of JSON.parse(p.inputs.policy).Statement) {
                    for (const a of [st.Action].flat()) {
                        assert.ok(a !== "*" && !/:\*$/.test(a), `${p.name}: action ${a}`);
                    }
                    for (const r of [st.Resource].flat()) {
                        assert.ok(own.some((arn) => String(r).startsWith(`${arn}`) && String(r) !== "*"), `${p.name}: resource ${r} belongs to this stack`);
                    }
                }
            }
            for (const a of under("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
                assert.equal(a.inputs.policyArn, "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs");
            }
        });

        it("exports the API URLs", () => {
            const domain = JSON.parse(run.config["flodrama:api"]).domain;
            assert.equal(run.outputs.httpApiUrl, domain ? `https://${domain.names[0]}` : run.one("aws:apigatewayv2/api:Api", "api-http").state.apiEndpoint);
            assert.match(String(run.outputs.websocketUrl), /^wss:\/\//);
            assert.equal(run.one("aws:apigatewayv2/stage:Stage", "api-http-stage").inputs.name, HTTP_STAGE_NAME);
            for (const k of ["httpApiId", "websocketApiId", "websocketManagementEndpoint", "apiLoadBalancerArn"]) {
                assert.ok(run.outputs[k], `output ${k}`);
            }
        });
    });
}

function cidrRange(cidr: string): [number, number] {
    const [ip, bits] = cidr.split("/");
    const base = ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    const start = base - (base % size);
    return [start, start + size - 1];
}
/** Whether `outer` contains all of `inner` (IPv4). */
function cidrContains(outer: string, inner: string): boolean {
    const [os, oe] = cidrRange(outer);
    const [is, ie] = cidrRange(inner);
    return os <= is && ie <= oe;
}
function cidrOverlaps(a: string, b: string): boolean {
    const [as, ae] = cidrRange(a);
    const [bs, be] = cidrRange(b);
    return as <= be && bs <= ae;
}
