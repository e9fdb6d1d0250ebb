//! PreTokenGeneration: the pool's function sees the claims a sign-in is
//! about to get and may add, override or suppress them, change the groups,
//! and (V2_0/V3_0) change the access token's claims and scopes (developer
//! guide: "Pre token generation Lambda trigger"). Claims that identify the
//! token itself are Cognito's and stay as they are.

use serde_json::{Map, Value, json};

use super::Idp;
use super::auth::Metadata;
use super::tokens::TokenSource;
use super::triggers::{Invocation, Trigger, metadata, user_attributes};
use crate::error::{CognitoError, Result};
use crate::model::{Group, User, UserPool, UserPoolClient};

/// Claims no function may add, override or suppress in an ID token
/// (developer guide: "You can't modify the following claims").
const RESERVED_ID_CLAIMS: &[&str] = &[
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "cognito:username",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
    "event_id",
];

/// The access token's own: the ID token's, and what names its client,
/// user, scopes and format.
const RESERVED_ACCESS_CLAIMS: &[&str] = &["client_id", "scope", "username", "version"];

/// The group claims: changed only through groupOverrideDetails.
const GROUP_CLAIMS: &[&str] = &["cognito:groups", "cognito:roles", "cognito:preferred_role"];

/// What one token signing tells the function.
#[derive(Clone, Copy)]
pub(crate) struct PreTokenCall<'a> {
    pub pool: &'a UserPool,
    pub client: &'a UserPoolClient,
    /// None for the client_credentials grant.
    pub user: Option<&'a User>,
    /// In token order (precedence, then name).
    pub groups: &'a [Group],
    pub scopes: &'a [String],
    pub source: TokenSource,
    pub metadata: &'a Metadata,
}

/// Changes to one token's claims.
#[derive(Debug, Default, PartialEq)]
struct ClaimChanges {
    add_or_override: Map<String, Value>,
    suppress: Vec<String>,
}

/// Cognito's groupOverrideDetails: the group claims of both tokens.
#[derive(Debug, Default, PartialEq)]
struct GroupOverride {
    groups: Vec<String>,
    roles: Vec<String>,
    preferred_role: Option<String>,
}

/// What the function answered, checked.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Customization {
    id: ClaimChanges,
    access: ClaimChanges,
    scopes_to_add: Vec<String>,
    scopes_to_suppress: Vec<String>,
    /// None: the groups stay as they are.
    groups: Option<GroupOverride>,
}

impl Idp {
    /// Runs the pool's PreTokenGeneration function, if it has one for this
    /// kind of token: V1_0 and V2_0 functions for a user's sign-in, V3_0
    /// also for the client_credentials grant.
    pub(crate) async fn pre_token_generation(
        &self,
        call: PreTokenCall<'_>,
    ) -> Result<Option<Customization>> {
        let Some((_, version)) = Trigger::PreTokenGeneration.function(call.pool) else {
            return Ok(None);
        };
        if call.source == TokenSource::ClientCredentials && version != "3" {
            return Ok(None);
        }
        let v1 = version == "1";
        let roles: Vec<&str> = call
            .groups
            .iter()
            .filter_map(|g| g.role_arn.as_deref())
            .collect();
        // A machine's token has no user: no attributes and no groups, and
        // the userName Cognito's example event shows.
        let (user_name, attributes, groups) = match call.user {
            Some(user) => (
                user.username.as_str(),
                user_attributes(user),
                json!({
                    "groupsToOverride": call.groups.iter().map(|g| g.group_name.as_str()).collect::<Vec<_>>(),
                    "iamRolesToOverride": roles,
                    "preferredRole": roles.first(),
                }),
            ),
            None => ("ClientCredentials", json!({}), Value::Null),
        };
        let mut request = json!({
            "userAttributes": attributes,
            "groupConfiguration": groups,
            "clientMetadata": metadata(call.metadata),
        });
        if !v1 {
            request["scopes"] = json!(call.scopes);
        }
        let response = if v1 {
            json!({ "claimsOverrideDetails": null })
        } else {
            json!({ "claimsAndScopeOverrideDetails": null })
        };
        let answer = self
            .run_trigger(
                call.pool,
                Invocation {
                    trigger: Trigger::PreTokenGeneration,
                    source: call.source.trigger_source(),
                    user_name,
                    client_id: Some(&call.client.client_id),
                    request,
                    response,
                },
            )
            .await?;
        let Some(answer) = answer else {
            return Ok(None);
        };
        let customization = if v1 {
            Customization::from_v1(answer.get("claimsOverrideDetails"))
        } else {
            Customization::from_v2(answer.get("claimsAndScopeOverrideDetails"))
        }
        .map_err(|e| {
            tracing::info!(pool = %call.pool.id, error = %e, "PreTokenGeneration answered an unusable response");
            CognitoError::InvalidLambdaResponse("Unrecognizable lambda output".into())
        })?;
        Ok(Some(customization))
    }
}

impl Customization {
    /// V1_0: `claimsOverrideDetails` {claimsToAddOrOverride,
    /// claimsToSuppress, groupOverrideDetails}; the claims are the ID
    /// token's.
    fn from_v1(details: Option<&Value>) -> std::result::Result<Self, String> {
        let Some(d) = object(details, "claimsOverrideDetails")? else {
            return Ok(Self::default());
        };
        Ok(Self {
            id: ClaimChanges::parse(d)?,
            groups: GroupOverride::parse(d)?,
            ..Self::default()
        })
    }

    /// V2_0 and V3_0: `claimsAndScopeOverrideDetails` {idTokenGeneration,
    /// accessTokenGeneration {…, scopesToAdd, scopesToSuppress},
    /// groupOverrideDetails}.
    fn from_v2(details: Option<&Value>) -> std::result::Result<Self, String> {
        let Some(d) = object(details, "claimsAndScopeOverrideDetails")? else {
            return Ok(Self::default());
        };
        let id = object(d.get("idTokenGeneration"), "idTokenGeneration")?;
        let access = object(d.get("accessTokenGeneration"), "accessTokenGeneration")?;
        let empty = Map::new();
        let access = access.unwrap_or(&empty);
        Ok(Self {
            id: id.map(ClaimChanges::parse).transpose()?.unwrap_or_default(),
            access: ClaimChanges::parse(access)?,
            scopes_to_add: strings(access.get("scopesToAdd"), "scopesToAdd")?,
            scopes_to_suppress: strings(access.get("scopesToSuppress"), "scopesToSuppress")?,
            groups: GroupOverride::parse(d)?,
        })
    }

    /// Applies the changes to the claims about to be signed. A claim both
    /// added and suppressed is suppressed; so is a scope.
    pub(crate) fn apply(&self, id: &mut Map<String, Value>, access: &mut Map<String, Value>) {
        if let Some(g) = &self.groups {
            g.apply(id, true);
            g.apply(access, false);
        }
        self.id.apply(id, &[]);
        self.access.apply(access, RESERVED_ACCESS_CLAIMS);
        if self.scopes_to_add.is_empty() && self.scopes_to_suppress.is_empty() {
            return;
        }
        let mut scopes: Vec<String> = access
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        for s in &self.scopes_to_add {
            if !scopes.contains(s) {
                scopes.push(s.clone());
            }
        }
        scopes.retain(|s| !self.scopes_to_suppress.contains(s));
        access.insert("scope".into(), json!(scopes.join(" ")));
    }
}

impl ClaimChanges {
    fn parse(d: &Map<String, Value>) -> std::result::Result<Self, String> {
        let add_or_override = object(d.get("claimsToAddOrOverride"), "claimsToAddOrOverride")?
            .cloned()
            .unwrap_or_default();
        Ok(Self {
            add_or_override,
            suppress: strings(d.get("claimsToSuppress"), "claimsToSuppress")?,
        })
    }

    /// Cognito's claims stay: a change to a reserved claim is left out.
    fn apply(&self, claims: &mut Map<String, Value>, also_reserved: &[&str]) {
        let changeable = |name: &str| {
            !RESERVED_ID_CLAIMS.contains(&name)
                && !also_reserved.contains(&name)
                && !GROUP_CLAIMS.contains(&name)
        };
        for (name, value) in &self.add_or_override {
            if changeable(name) && !self.suppress.contains(name) {
                claims.insert(name.clone(), value.clone());
            }
        }
        for name in &self.suppress {
            if changeable(name) {
                claims.remove(name);
            }
        }
    }
}

impl GroupOverride {
    /// `groupOverrideDetails`: absent leaves the groups; null or an object
    /// replaces them ("If you provide an empty or null object in the
    /// response, then the groups are suppressed").
    fn parse(d: &Map<String, Value>) -> std::result::Result<Option<Self>, String> {
        if !d.contains_key("groupOverrideDetails") {
            return Ok(None);
        }
        let Some(g) = object(d.get("groupOverrideDetails"), "groupOverrideDetails")? else {
            return Ok(Some(Self::default()));
        };
        let preferred_role = match g.get("preferredRole") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err("preferredRole is not a string".into()),
        };
        Ok(Some(Self {
            groups: strings(g.get("groupsToOverride"), "groupsToOverride")?,
            roles: strings(g.get("iamRolesToOverride"), "iamRolesToOverride")?,
            preferred_role,
        }))
    }

    /// The ID token carries groups and roles; the access token groups.
    fn apply(&self, claims: &mut Map<String, Value>, with_roles: bool) {
        for name in GROUP_CLAIMS {
            claims.remove(*name);
        }
        if !self.groups.is_empty() {
            claims.insert("cognito:groups".into(), json!(self.groups));
        }
        if with_roles {
            if !self.roles.is_empty() {
                claims.insert("cognito:roles".into(), json!(self.roles));
            }
            if let Some(role) = &self.preferred_role {
                claims.insert("cognito:preferred_role".into(), json!(role));
            }
        }
    }
}

/// An optional JSON object member: None when absent or null.
fn object<'a>(
    v: Option<&'a Value>,
    name: &str,
) -> std::result::Result<Option<&'a Map<String, Value>>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(format!("{name} is not an object")),
    }
}

/// An optional list of strings: empty when absent or null.
fn strings(v: Option<&Value>, name: &str) -> std::result::Result<Vec<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{name} holds a value that is not a string"))
            })
            .collect(),
        Some(_) => Err(format!("{name} is not a list")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn v1_changes_the_id_token_and_leaves_reserved_claims() {
        let c = Customization::from_v1(Some(&json!({
            "claimsToAddOrOverride": {"tier": "gold", "sub": "forged", "email": "x@y"},
            "claimsToSuppress": ["family_name", "iss", "email"],
        })))
        .unwrap();
        let mut id =
            claims(json!({"sub": "s", "iss": "i", "family_name": "F", "cognito:groups": ["a"]}));
        let mut access = claims(json!({"sub": "s", "scope": "openid"}));
        c.apply(&mut id, &mut access);
        assert_eq!(
            Value::Object(id),
            json!({"sub": "s", "iss": "i", "tier": "gold", "cognito:groups": ["a"]})
        );
        assert_eq!(
            Value::Object(access),
            json!({"sub": "s", "scope": "openid"})
        );
    }

    #[test]
    fn v2_changes_both_tokens_and_the_scopes_with_suppression_winning() {
        let c = Customization::from_v2(Some(&json!({
            "idTokenGeneration": {"claimsToAddOrOverride": {"n": 1}},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"roles": ["r1"], "client_id": "other"},
                "claimsToSuppress": [],
                "scopesToAdd": ["api/read", "api/write"],
                "scopesToSuppress": ["api/write", "openid"],
            },
            "groupOverrideDetails": {"groupsToOverride": ["g"], "preferredRole": "arn:r"},
        })))
        .unwrap();
        let mut id = claims(json!({"cognito:groups": ["a"], "cognito:roles": ["x"]}));
        let mut access =
            claims(json!({"client_id": "c", "scope": "openid profile", "cognito:groups": ["a"]}));
        c.apply(&mut id, &mut access);
        assert_eq!(
            Value::Object(id),
            json!({"n": 1, "cognito:groups": ["g"], "cognito:preferred_role": "arn:r"})
        );
        assert_eq!(
            Value::Object(access),
            json!({"client_id": "c", "roles": ["r1"], "scope": "profile api/read", "cognito:groups": ["g"]})
        );
    }

    #[test]
    fn null_group_override_suppresses_the_groups_and_absent_keeps_them() {
        let mut id = claims(json!({"cognito:groups": ["a"]}));
        let mut access = id.clone();
        let keep = Customization::from_v1(Some(&json!({"claimsToSuppress": []}))).unwrap();
        keep.apply(&mut id, &mut access);
        assert_eq!(id["cognito:groups"], json!(["a"]));
        let drop = Customization::from_v1(Some(&json!({"groupOverrideDetails": null}))).unwrap();
        drop.apply(&mut id, &mut access);
        assert!(!id.contains_key("cognito:groups") && !access.contains_key("cognito:groups"));
    }

    #[test]
    fn malformed_answers_are_refused() {
        assert!(Customization::from_v1(Some(&json!("nope"))).is_err());
        assert!(Customization::from_v1(Some(&json!({"claimsToSuppress": "email"}))).is_err());
        assert!(
            Customization::from_v2(Some(
                &json!({"accessTokenGeneration": {"scopesToAdd": [1]}})
            ))
            .is_err()
        );
        assert_eq!(
            Customization::from_v2(None).unwrap(),
            Customization::default()
        );
    }
}
