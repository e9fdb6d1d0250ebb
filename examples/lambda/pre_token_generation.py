"""PreTokenGeneration, event version V2_0: a claim added to the ID token,
and a claim and a scope added to the access token.

Cognito developer guide, "Pre token generation Lambda trigger": a V2_0
function answers response.claimsAndScopeOverrideDetails with
idTokenGeneration and accessTokenGeneration (claimsToAddOrOverride,
claimsToSuppress; scopesToAdd, scopesToSuppress for the access token).
"""


def handler(event, context):
    email = event["request"]["userAttributes"].get("email", "")
    tenant = email.rpartition("@")[2].lower()
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {
            "claimsToAddOrOverride": {"tenant": tenant},
        },
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"plan": "trial"},
            "scopesToAdd": ["reports/read"],
        },
    }
    return event
