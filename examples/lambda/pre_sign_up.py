"""PreSignUp: users whose email is at an allowed domain are confirmed at
once (no code is sent); anyone else is refused.

Cognito developer guide, "Pre sign-up Lambda trigger": the function may set
response.autoConfirmUser and response.autoVerifyEmail; raising an exception
refuses the sign-up, and SignUp answers UserLambdaValidationException
"PreSignUp failed with error <message>.".
"""

import os

# A comma-separated list, from the function's environment (serverless.yml,
# template.yaml).
ALLOWED_DOMAINS = {
    d.strip().lower()
    for d in os.environ.get("ALLOWED_EMAIL_DOMAINS", "example.com").split(",")
    if d.strip()
}


def handler(event, context):
    email = event["request"]["userAttributes"].get("email", "")
    domain = email.rpartition("@")[2].lower()
    if domain not in ALLOWED_DOMAINS:
        # Cognito adds a period: "PreSignUp failed with error <message>."
        allowed = " or ".join(sorted(ALLOWED_DOMAINS))
        raise Exception(f"Sign-up is open to {allowed} addresses only")
    # PreSignUp_AdminCreateUser ignores these flags; SignUp honours them.
    event["response"]["autoConfirmUser"] = True
    event["response"]["autoVerifyEmail"] = True
    return event
