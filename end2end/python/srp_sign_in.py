"""Signs in with pycognito's AWSSRP (USER_SRP_AUTH, then PASSWORD_VERIFIER)
against a Cognito endpoint, for tests/srp.test.mjs.

Reads one JSON object on stdin: endpoint, region, pool_id, client_id,
client_secret (or null), username, password. Prints one JSON object:
{"tokens": AuthenticationResult} on success, {"challenge": name} when a
further challenge is asked, {"error": {"code", "message"}} when Cognito
refuses. Anything else is a bug: a traceback and exit status 1.
"""

import json
import sys

import boto3
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import (
    ForceChangePasswordException,
    SMSMFAChallengeException,
    SoftwareTokenMFAChallengeException,
)

# What AWSSRP raises for the challenges it does not answer itself.
CHALLENGES = {
    ForceChangePasswordException: "NEW_PASSWORD_REQUIRED",
    SMSMFAChallengeException: "SMS_MFA",
    SoftwareTokenMFAChallengeException: "SOFTWARE_TOKEN_MFA",
}


def main() -> None:
    args = json.load(sys.stdin)
    client = boto3.client(
        "cognito-idp", endpoint_url=args["endpoint"], region_name=args["region"]
    )
    srp = AWSSRP(
        username=args["username"],
        password=args["password"],
        pool_id=args["pool_id"],
        client_id=args["client_id"],
        client_secret=args.get("client_secret"),
        client=client,
    )
    try:
        result = srp.authenticate_user()
    except ClientError as e:
        error = e.response["Error"]
        out = {"error": {"code": error.get("Code"), "message": error.get("Message")}}
    except tuple(CHALLENGES) as e:
        out = {"challenge": CHALLENGES[type(e)]}
    else:
        if "AuthenticationResult" in result:
            out = {"tokens": result["AuthenticationResult"]}
        else:
            out = {"challenge": result.get("ChallengeName")}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
