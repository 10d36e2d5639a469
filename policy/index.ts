/**
 * The FloDrama policy pack: `pulumi preview --policy-pack policy`. Every policy is mandatory; the
 * documented exceptions are reported by one advisory policy. Tests never import this file (a second
 * PolicyPack instance would start another gRPC server): they use policy/all.ts directly.
 */
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./all";
import { exceptionsReport, toCrossGuard } from "./framework";

new PolicyPack("flodrama", {
    description: "AWS FSBP controls, Pod Security restricted and FloDrama's own rules for the FloDrama platform",
    enforcementLevel: "mandatory",
    policies: [...ALL_POLICIES.map(toCrossGuard), exceptionsReport(ALL_POLICIES)],
});
