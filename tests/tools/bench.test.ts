import { strict as assert } from "assert";
import { cpuSeconds, median, renderBench } from "../../scripts/bench";

describe("npm run bench helpers", () => {
    it("takes the median of odd and even run counts", () => {
        assert.equal(median([5.4, 3.1, 4.0]), 4.0);
        assert.equal(median([4, 2, 3, 1]), 2.5);
        assert.ok(Number.isNaN(median([])));
    });

    it("reads user + system seconds from a bash `times` line", () => {
        assert.equal(cpuSeconds("1m2.500s 0m0.250s"), 62.75);
    });

    it("reports each command's median against its target, and failures", () => {
        const text = renderBench(
            [
                { label: "plan dev", command: "npm run plan -- dev", target: 4, seconds: [3.2, 3.9, 3.5], cpu: [2.5, 2.6, 2.4], failed: 0 },
                { label: "test", command: "npm test", target: 30, seconds: [41, 40, 44], cpu: [30, 31, 29], failed: 1 },
            ],
            2,
            [1.5, 1, 0.5],
        );
        assert.match(text, /2 cores, load average 1\.50 1\.00 0\.50/);
        assert.match(text, /npm run plan -- dev\s+3\.5 s\s+3\.2, 3\.9, 3\.5\s+2\.5 s\s+≤ {2}4 s {2}ok/);
        assert.match(text, /npm test\s+41\.0 s .* FAILED 1×/);
    });
});
