/** Shared helpers of the workloads tests: typed config of a real stack file (optionally edited), a fake data tier. */
import * as pulumi from "@pulumi/pulumi";
import { DataInfo } from "../../lib/contracts";

export { configFor, rawFor } from "../../offline/stackConfig";

export const FAKE_DATA_SECRET = "flodrama-data";

/** A data tier as the data component hands it over, in the stack's mode. */
export function fakeData(mode: DataInfo["mode"]): DataInfo {
    return { mode, secretName: pulumi.output(FAKE_DATA_SECRET), mongoPort: 27017, redisPort: 6379 };
}
