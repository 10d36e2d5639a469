#!/usr/bin/env python3
"""Regenerates data/aws-regional-services.json from AWS's published endpoint table.

The table is the `endpoints.json` that botocore ships (the AWS SDKs' endpoint data): for each service
of the `aws` partition, the regions with an endpoint. Only the services the program uses are kept,
FIPS and global aliases are dropped, and the source (botocore version, file path) and date are written
beside the data so a reader knows how old it is.

    python3 scripts/update-regional-services.py                      # botocore installed here
    python3 scripts/update-regional-services.py path/to/endpoints.json --source-version 1.43.11

lib/regions.ts reads the output; tests/foundation/regions.test.ts checks the program against it.
"""
import argparse
import datetime
import json
import os
import re
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "aws-regional-services.json")

# Service key (what lib/regions.ts names) -> the endpoint prefix in endpoints.json that serves its API.
SERVICES = {
    "acm": "acm",
    "apigateway": "apigateway",  # REST and HTTP/WebSocket (apigatewayv2) control planes share this endpoint
    "budgets": "budgets",
    "cloudfront": "cloudfront",
    "codebuild": "codebuild",
    "cognito-identity": "cognito-identity",
    "cognito-idp": "cognito-idp",
    "docdb": "docdb",  # DocumentDB's own region list; its API is served by the rds endpoint
    "ec2": "ec2",
    "ecr": "api.ecr",
    "eks": "eks",
    "elasticache": "elasticache",
    "elasticloadbalancing": "elasticloadbalancing",
    "events": "events",
    "iam": "iam",
    "kms": "kms",
    "lambda": "lambda",
    "logs": "logs",
    "monitoring": "monitoring",
    "personalize": "personalize",
    "rds": "rds",
    "route53": "route53",
    "s3": "s3",
    "secretsmanager": "secretsmanager",
    "sns": "sns",
    "sqs": "sqs",
    "ssm": "ssm",
    "sts": "sts",
    "wafv2": "wafv2",
}

# Services with no entry of their own, offered wherever another one is (why, in the output's notes).
DERIVED = {
    "execute-api": ("apigateway", "API Gateway's invoke endpoint has no entry of its own; it exists wherever API Gateway does"),
}


def reduce(endpoints: dict) -> dict:
    aws = next((p for p in endpoints["partitions"] if p["partition"] == "aws"), None)
    if aws is None:
        sys.exit("endpoints.json has no `aws` partition")
    regions = sorted(aws["regions"])
    services = {}
    missing = []
    for key, prefix in sorted(SERVICES.items()):
        entry = aws["services"].get(prefix)
        if entry is None:
            missing.append(f"{key} ({prefix})")
            continue
        if entry.get("isRegionalized") is False:
            # One endpoint for the partition (IAM, CloudFront, Route 53, Budgets): callable from any region.
            scope = entry["endpoints"][entry["partitionEndpoint"]].get("credentialScope", {}).get("region", "us-east-1")
            services[key] = {"global": True, "signingRegion": scope}
            continue
        offered = sorted(
            r for r, ep in entry["endpoints"].items() if r in aws["regions"] and not ep.get("deprecated", False)
        )
        services[key] = {"global": False, "regions": offered}
    if missing:
        sys.exit(f"endpoints.json lacks: {', '.join(missing)}")
    notes = {}
    for key, (base, why) in DERIVED.items():
        services[key] = dict(services[base])
        notes[key] = why
    return {"partition": "aws", "regions": regions, "services": dict(sorted(services.items())), "notes": notes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("endpoints", nargs="?", help="endpoints.json to read (default: the installed botocore's)")
    parser.add_argument("--source-version", help="version of the package the file comes from (default: botocore's)")
    parser.add_argument("--date", default=datetime.date.today().isoformat(), help="date to record (default: today)")
    args = parser.parse_args()
    path, version = args.endpoints, args.source_version
    if path is None:
        try:
            import botocore
        except ImportError:
            sys.exit("botocore is not importable: pass the path of an endpoints.json and --source-version")
        path = os.path.join(os.path.dirname(botocore.__file__), "data", "endpoints.json")
        version = version or botocore.__version__
    if not version:
        sys.exit("--source-version is required with an explicit endpoints.json (e.g. the botocore version it came from)")
    with open(path, encoding="utf-8") as f:
        data = reduce(json.load(f))
    # The path inside the package, not this machine's install prefix.
    rel = path[path.index("botocore/"):] if "botocore/" in path else os.path.basename(path)
    out = {"source": f"botocore {version}, {rel}", "date": args.date, **data}
    text = json.dumps(out, indent=2)
    # One line per region list: a diff of a regeneration then reads service by service.
    text = re.sub(r"\[\s+((?:\"[^\"]*\",?\s+)+)\]", lambda m: "[" + ", ".join(re.findall(r"\"[^\"]*\"", m.group(1))) + "]", text)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    print(f"wrote {os.path.relpath(OUT)}: {len(out['services'])} services from {out['source']}")


if __name__ == "__main__":
    main()
