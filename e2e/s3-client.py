"""S3 client of the end-to-end tier (boto3, from the tool cache's venv).

Usage: s3-client.py ENDPOINT < requests.json

Reads {"accessKey", "secretKey", "operations": [...]} from stdin; each operation is
{"op": "put" | "get" | "download" | "head" | "list" | "list-buckets", "bucket", "key" or "prefix", "body",
"file"} ("download" writes the object's bytes to "file"). Runs them in order with
path-style addressing and SigV4, and prints one JSON array of results: {"ok": true, ...} with
"body" (get), "size" and "etag" (head), "keys" (list) or "buckets" (list-buckets), or {"ok": false, "status", "code"} from
the S3 error response. Never prints the keys.
"""
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def main():
    endpoint = sys.argv[1]
    request = json.load(sys.stdin)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=request["accessKey"],
        aws_secret_access_key=request["secretKey"],
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 1},
            connect_timeout=5,
            read_timeout=30,
        ),
    )
    results = []
    for operation in request["operations"]:
        op = operation["op"]
        try:
            if op == "put":
                client.put_object(Bucket=operation["bucket"], Key=operation["key"], Body=operation["body"].encode())
                result = {"ok": True}
            elif op == "get":
                body = client.get_object(Bucket=operation["bucket"], Key=operation["key"])["Body"].read()
                result = {"ok": True, "body": body.decode()}
            elif op == "download":
                client.download_file(operation["bucket"], operation["key"], operation["file"])
                result = {"ok": True}
            elif op == "head":
                head = client.head_object(Bucket=operation["bucket"], Key=operation["key"])
                result = {"ok": True, "size": head["ContentLength"], "etag": head["ETag"]}
            elif op == "list":
                pages = client.get_paginator("list_objects_v2").paginate(
                    Bucket=operation["bucket"], Prefix=operation.get("prefix", "")
                )
                result = {"ok": True, "keys": [o["Key"] for page in pages for o in page.get("Contents", [])]}
            elif op == "list-buckets":
                result = {"ok": True, "buckets": [b["Name"] for b in client.list_buckets()["Buckets"]]}
            else:
                raise ValueError(f"unknown operation {op}")
        except ClientError as error:
            result = {
                "ok": False,
                "status": error.response["ResponseMetadata"].get("HTTPStatusCode"),
                "code": error.response["Error"].get("Code"),
            }
        results.append({**{k: v for k, v in operation.items() if k != "body"}, **result})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
