import { strict as assert } from "assert";
import { NAME_LIMITS, physicalName } from "../../lib/naming";

describe("naming", () => {
    it("prefixes project and stack", () => {
        assert.equal(physicalName("dev", "site"), "flodrama-dev-site");
    });

    it("cuts to each service's limit and keeps long names distinct", () => {
        for (const [kind, limit] of Object.entries(NAME_LIMITS)) {
            const a = physicalName("prod", `${"x".repeat(600)}-a`, kind as keyof typeof NAME_LIMITS);
            const b = physicalName("prod", `${"x".repeat(600)}-b`, kind as keyof typeof NAME_LIMITS);
            assert.ok(a.length <= limit, `${kind}: ${a.length} > ${limit}`);
            assert.notEqual(a, b, `${kind}: cut names collide`);
            assert.match(a, /^flodrama-prod-x+-[0-9a-f]{6}$/);
        }
    });

    it("is lower-case and DNS-safe", () => {
        assert.equal(physicalName("Dev", "Watch_Party"), "flodrama-dev-watch-party");
    });

    it("is stable", () => {
        // The hash suffix is a fixed function of the full name: the same inputs give this name on every run.
        assert.equal(physicalName("prod", "a".repeat(80), "loadBalancer"), "flodrama-prod-aaaaaaaaaaa-38c7ce");
        assert.equal(physicalName("prod", "a".repeat(80), "loadBalancer").length, 32);
    });
});
