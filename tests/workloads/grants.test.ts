/**
 * Grants from components built before the workloads (Recommendations → REST API): they reach the IRSA
 * role of the services of the granted role only, and a variable granted twice is an error.
 */
import { strict as assert } from "assert";
import { grantedEnv, withGrants } from "../../components/workloads/workloads";
import { ServiceConfig } from "../../lib/contracts";
import { ServiceGrant } from "../../lib/contracts";

const service = (role: ServiceConfig["role"]): ServiceConfig => ({ name: role === "rest-api" ? "api" : role, role } as ServiceConfig);
const grant: ServiceGrant = {
    role: "rest-api",
    statements: [{ Sid: "PutLiveEvents", Effect: "Allow", Action: "personalize:PutEvents", Resource: "arn:aws:personalize:eu-west-3:1:event-tracker/t" }],
    env: { PERSONALIZE_TRACKING_ID: "tracking" },
};
const own = { Version: "2012-10-17" as const, Statement: [{ Sid: "Own", Effect: "Allow" as const, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] };

describe("workloads: grants", () => {
    it("adds granted statements after the service's own, for the granted role only", () => {
        assert.deepEqual(withGrants(service("rest-api"), own, [grant])?.Statement.map((s) => s.Sid), ["Own", "PutLiveEvents"]);
        assert.deepEqual(withGrants(service("rest-api"), undefined, [grant])?.Statement.map((s) => s.Sid), ["PutLiveEvents"]);
        assert.deepEqual(withGrants(service("scraper"), own, [grant]), own);
        assert.equal(withGrants(service("watch-party"), undefined, [grant]), undefined, "no policy when nothing is granted");
    });

    it("adds granted variables for the granted role only and refuses a variable set twice", () => {
        assert.deepEqual(grantedEnv(service("rest-api"), {}, [grant]), { PERSONALIZE_TRACKING_ID: "tracking" });
        assert.equal(grantedEnv(service("watch-party"), {}, [grant]), undefined);
        assert.deepEqual(grantedEnv(service("scraper"), { SCRAPER_BUCKET: "b" }, [grant]), { SCRAPER_BUCKET: "b" });
        assert.throws(() => grantedEnv(service("rest-api"), { PERSONALIZE_TRACKING_ID: "x" }, [grant]), /PERSONALIZE_TRACKING_ID is granted twice/);
    });
});
