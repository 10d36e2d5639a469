/** Shared helpers of the workloads tests: typed config of a real stack file (optionally edited), a fake data tier. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { DataInfo } from "../../lib/contracts";

export { configFor, rawFor } from "../../offline/stackConfig";

export const FAKE_DATA_SECRET = "flodrama-data";

/** A data tier as the data component hands it over, in the stack's mode. */
export function fakeData(mode: DataInfo["mode"]): DataInfo {
    return { mode, secretName: pulumi.output(FAKE_DATA_SECRET), mongoPort: 27017, redisPort: 6379 };
}

/** A throw-away Docker build context with a Dockerfile, a source file and a `.dockerignore`. */
export function tempBuildContext(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flodrama-ctx-"));
    fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM gcr.io/distroless/nodejs22-debian12:nonroot\nCOPY app.js /app/app.js\nCMD [\"/app/app.js\"]\n");
    fs.writeFileSync(path.join(dir, "app.js"), "console.log('hello');\n");
    fs.writeFileSync(path.join(dir, ".dockerignore"), "# local files\nnode_modules\n*.log\n!keep.log\n");
    return dir;
}
