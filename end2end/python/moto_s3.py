"""The S3 side of the identity-pool delegation test (server/tests/it/identity_pools_moto.rs),
against a moto server with IAM enforcement.

  moto_s3.py setup <moto url>    makes the role (s3:GetObject on allowed/*), a bucket with
                                 allowed/a.txt and secret/b.txt, then turns enforcement on
                                 after one more unchecked call (Cognate's
                                 AssumeRoleWithWebIdentity); prints the role ARN.
  moto_s3.py read <moto url> <key>   reads the object with the credentials in the
                                 AWS_* environment; prints "OK <body>" or "DENIED <code>".
"""

import json
import sys
import urllib.request

import boto3
from botocore.exceptions import ClientError

BUCKET = "identity-pool-test"


def client(service, url, **creds):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", **creds)


def setup(url):
    keys = dict(aws_access_key_id="FOOBARKEY", aws_secret_access_key="FOOBARSECRET")
    iam = client("iam", url, **keys)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
        }],
    }
    role = iam.create_role(RoleName="IdentityPoolReader", AssumeRolePolicyDocument=json.dumps(trust))
    policy = {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/allowed/*",
        }],
    }
    iam.put_role_policy(RoleName="IdentityPoolReader", PolicyName="read-allowed",
                        PolicyDocument=json.dumps(policy))
    s3 = client("s3", url, **keys)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="allowed/a.txt", Body=b"allowed object")
    s3.put_object(Bucket=BUCKET, Key="secret/b.txt", Body=b"secret object")
    # From here every call is authorized, but for the next one: Cognate's
    # unsigned AssumeRoleWithWebIdentity (moto cannot check an unsigned call).
    req = urllib.request.Request(f"{url}/moto-api/reset-auth", data=b"1", method="POST",
                                 headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(req).read()
    print(role["Role"]["Arn"])


def read(url, key):
    s3 = client("s3", url)
    try:
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
        print(f"OK {body}")
    except ClientError as e:
        print(f"DENIED {e.response['Error']['Code']}")


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(sys.argv[2])
    else:
        read(sys.argv[2], sys.argv[3])
