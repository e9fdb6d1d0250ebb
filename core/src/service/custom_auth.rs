//! CUSTOM_AUTH: a sign-in whose challenges the pool's functions decide
//! (developer guide, "Custom authentication challenge Lambda triggers").
//! DefineAuthChallenge reads the `session` array and names the next step;
//! CreateAuthChallenge makes a CUSTOM_CHALLENGE (public parameters for the
//! client, private ones kept sealed in the Session); VerifyAuthChallengeResponse
//! judges the ANSWER, whose result joins the array before DefineAuthChallenge
//! runs again. A flow may begin with SRP (CHALLENGE_NAME=SRP_A), proving the
//! password through PASSWORD_VERIFIER before its custom challenges.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use zeroize::Zeroize;

use super::Idp;
use super::auth::{
    Attempt, AuthOutcome, Challenge, Metadata, Params, check_secret_hash, check_srp_a, incorrect,
    require_secret_hash, required, unknown_user,
};
use super::session::{
    AuthSession, ChallengeName, ChallengeResult, CustomAuthState, MAX_SESSION_CHARS,
    invalid_session,
};
use super::triggers::{Invocation, Trigger, flag, invalid_response, user_attributes};
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};
use crate::model::{User, UserPool, UserPoolClient};

/// The longest `session` array a flow may build. Cognito documents no
/// number; a bound keeps a DefineAuthChallenge that never decides from
/// asking forever, and the sealed Session within its size. Ten entries
/// hold SRP_A, PASSWORD_VERIFIER and eight custom challenges.
pub const MAX_SESSION_ENTRIES: usize = 10;

/// The `session` entries Cognito writes for a flow that begins with SRP
/// (developer guide, "Define Auth challenge Lambda trigger").
const SRP_A: &str = "SRP_A";
const PASSWORD_VERIFIER: &str = "PASSWORD_VERIFIER";
const CUSTOM_CHALLENGE: &str = "CUSTOM_CHALLENGE";

/// The store key that marks a custom session as answered.
fn spent_key(state: &CustomAuthState) -> String {
    format!("spent-auth-session:{}", state.id)
}

/// Cognito API: InitiateAuth, CUSTOM_AUTH without a DefineAuthChallenge
/// function (and our answer when Create or Verify is missing when needed).
fn not_configured() -> CognitoError {
    CognitoError::invalid_parameter(
        "Custom auth lambda trigger is not configured for the user pool.",
    )
}

/// A string member of a function's `response`: absent or null is None.
fn text(response: &Map<String, Value>, name: &str) -> Result<Option<String>> {
    match response.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid_response()),
    }
}

/// A map member of a function's `response` (public or private challenge
/// parameters): strings, with numbers and booleans as their text (a
/// function may write `attempts: 1`); null members are left out.
fn string_map(response: &Map<String, Value>, name: &str) -> Result<BTreeMap<String, String>> {
    let object = match response.get(name) {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(invalid_response()),
    };
    let mut map = BTreeMap::new();
    for (key, value) in object {
        let text = match value {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(_) | Value::Object(_) => return Err(invalid_response()),
        };
        map.insert(key.clone(), text);
    }
    Ok(map)
}

/// The `session` array as the events carry it.
fn session_array(history: &[ChallengeResult]) -> Value {
    Value::Array(
        history
            .iter()
            .map(|r| {
                json!({
                    "challengeName": r.challenge_name,
                    "challengeResult": r.challenge_result,
                    "challengeMetadata": r.challenge_metadata,
                })
            })
            .collect(),
    )
}

/// One call of a flow: who it is for and what the caller passes on.
struct Step<'a> {
    pool: &'a UserPool,
    client: &'a UserPoolClient,
    /// None for a name no user has (PreventUserExistenceErrors).
    user: Option<User>,
    /// The ClientMetadata the challenge functions get: RespondToAuthChallenge's.
    /// Cognito API: InitiateAuth passes ClientMetadata to PreAuthentication
    /// but not to DefineAuthChallenge or CreateAuthChallenge.
    metadata: Option<&'a Metadata>,
    at: Attempt<'a>,
}

impl Step<'_> {
    /// A challenge function's `request`: the user's attributes, `members`,
    /// `clientMetadata` when the call has some, and `userNotFound` when the
    /// client hides which users exist.
    fn request(&self, members: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
        let mut request = Map::new();
        request.insert(
            "userAttributes".into(),
            self.user
                .as_ref()
                .map_or_else(|| json!({}), user_attributes),
        );
        for (name, value) in members {
            request.insert(name.into(), value);
        }
        if let Some(m) = self.metadata.filter(|m| !m.is_empty()) {
            request.insert("clientMetadata".into(), json!(m));
        }
        // Developer guide: userNotFound "is populated when
        // PreventUserExistenceErrors is set to ENABLED".
        if self.client.prevents_user_existence_errors() {
            request.insert("userNotFound".into(), Value::Bool(self.user.is_none()));
        }
        Value::Object(request)
    }
}

impl Idp {
    /// InitiateAuth / AdminInitiateAuth with CUSTOM_AUTH: USERNAME, and
    /// CHALLENGE_NAME=SRP_A with SRP_A to prove the password first.
    pub(crate) async fn start_custom_auth(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        params: &Params,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        if !Trigger::DefineAuthChallenge.configured(pool) {
            return Err(not_configured());
        }
        let username = required(params, "USERNAME")?;
        // Developer guide: "CHALLENGE_NAME: SRP_A" begins with the password;
        // without it (or with CUSTOM_CHALLENGE) the functions decide alone.
        let srp_a = match params.get("CHALLENGE_NAME").map(String::as_str) {
            None | Some("" | CUSTOM_CHALLENGE) => None,
            Some(SRP_A) => {
                let srp_a = required(params, "SRP_A")?;
                check_srp_a(pool, srp_a)?;
                Some(srp_a)
            }
            Some(other) => {
                return Err(CognitoError::invalid_parameter(format!(
                    "CHALLENGE_NAME {other} cannot begin a custom authentication flow; use SRP_A or CUSTOM_CHALLENGE."
                )));
            }
        };
        require_secret_hash(client, params)?;
        let user = self.find_user_by_name(pool, username).await?;
        check_secret_hash(client, params, username, user.as_ref())?;
        match &user {
            Some(user) => self.check_not_locked_out(user)?,
            None if client.prevents_user_existence_errors() => {
                self.check_ghost_not_locked_out(pool, username).await?;
            }
            None => return Err(unknown_user(client)),
        }
        self.pre_authentication(pool, client, username, user.as_ref(), at)
            .await?;
        let mut state = CustomAuthState::new(user.as_ref().map_or(username, |u| &u.username));
        if srp_a.is_some() {
            state.history.push(ChallengeResult {
                challenge_name: SRP_A.into(),
                challenge_result: true,
                challenge_metadata: None,
            });
        }
        let step = Step {
            pool,
            client,
            user,
            metadata: None,
            at,
        };
        self.define_next(step, state, srp_a).await
    }

    /// RespondToAuthChallenge with CUSTOM_CHALLENGE: `session` is checked
    /// for this pool, client and challenge; `user` is whom USERNAME names.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn answer_custom_challenge(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        session: AuthSession,
        username: &str,
        user: Option<User>,
        responses: &Params,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        let Some(mut state) = session.custom.clone() else {
            return Err(invalid_session());
        };
        // The session is bound to its user, or to the name no user had.
        match (&user, session.sub) {
            (Some(u), Some(sub)) if u.sub == sub => self.check_not_locked_out(u)?,
            (None, None) if pool.normalize(username) == pool.normalize(&state.user_name) => {
                self.check_ghost_not_locked_out(pool, username).await?;
            }
            _ => return Err(invalid_session()),
        }
        let answer = required(responses, "ANSWER")?;
        if !Trigger::VerifyAuthChallengeResponse.configured(pool) {
            return Err(not_configured());
        }
        self.spend(&state, session.expires).await?;
        let step = Step {
            pool,
            client,
            user,
            metadata: Some(at.metadata),
            at,
        };
        let private = json!(&state.private);
        state.private.values_mut().for_each(Zeroize::zeroize);
        state.private.clear();
        let response = self
            .run_trigger(
                pool,
                Invocation {
                    trigger: Trigger::VerifyAuthChallengeResponse,
                    source: "VerifyAuthChallengeResponse_Authentication",
                    user_name: &state.user_name,
                    client_id: Some(&client.client_id),
                    request: step.request([
                        ("privateChallengeParameters", json!(private)),
                        ("challengeAnswer", json!(answer)),
                    ]),
                    response: json!({ "answerCorrect": null }),
                },
            )
            .await?
            .ok_or_else(not_configured)?;
        let correct = flag(&response, "answerCorrect")?;
        state.history.push(ChallengeResult {
            challenge_name: CUSTOM_CHALLENGE.into(),
            challenge_result: correct,
            challenge_metadata: state.metadata.take(),
        });
        self.define_next(step, state, None).await
    }

    /// PASSWORD_VERIFIER answered rightly in a flow that began with SRP_A:
    /// `{PASSWORD_VERIFIER, true}` joins the array and the functions go on.
    pub(crate) async fn custom_password_verified(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: User,
        mut state: CustomAuthState,
        expires: i64,
        at: Attempt<'_>,
    ) -> Result<AuthOutcome> {
        self.spend(&state, expires).await?;
        state.history.push(ChallengeResult {
            challenge_name: PASSWORD_VERIFIER.into(),
            challenge_result: true,
            challenge_metadata: None,
        });
        state.password_verified = true;
        let step = Step {
            pool,
            client,
            user: Some(user),
            metadata: Some(at.metadata),
            at,
        };
        self.define_next(step, state, None).await
    }

    /// A session is good for one answer (Cognito: "the session key can be
    /// used only once"), so a wrong answer cannot be retried on an old
    /// session beyond DefineAuthChallenge's count. Answered sessions are
    /// marked in the store until they expire.
    async fn spend(&self, state: &CustomAuthState, expires: i64) -> Result<()> {
        let fresh = self
            .store
            .create_web_session(&spent_key(state), Timestamp(expires), &[])
            .await?;
        if fresh {
            Ok(())
        } else {
            Err(invalid_session())
        }
    }

    /// DefineAuthChallenge_Authentication, then what it decided: the end of
    /// the sign-in, its failure, or the next challenge. `srp_a` is the
    /// client's A while PASSWORD_VERIFIER may still be asked for.
    async fn define_next(
        &self,
        step: Step<'_>,
        state: CustomAuthState,
        srp_a: Option<&str>,
    ) -> Result<AuthOutcome> {
        let (pool, client) = (step.pool, step.client);
        let response = self
            .run_trigger(
                pool,
                Invocation {
                    trigger: Trigger::DefineAuthChallenge,
                    source: "DefineAuthChallenge_Authentication",
                    user_name: &state.user_name,
                    client_id: Some(&client.client_id),
                    request: step.request([("session", session_array(&state.history))]),
                    response: json!({
                        "challengeName": null,
                        "issueTokens": null,
                        "failAuthentication": null,
                    }),
                },
            )
            .await?
            .ok_or_else(not_configured)?;
        let fail = flag(&response, "failAuthentication")?;
        let issue = flag(&response, "issueTokens")?;
        let next = text(&response, "challengeName")?;
        // Cognito answers a failed custom flow as a wrong password.
        if fail {
            return Err(incorrect());
        }
        if issue {
            // No user, no tokens, whatever the function says.
            let Some(user) = step.user else {
                return Err(incorrect());
            };
            self.check_can_sign_in(&user)?;
            // Developer guide: with SRP first, "If MFA is enabled for a
            // user, it is handled automatically after the password is
            // verified"; a flow without a password gets no MFA.
            return if state.password_verified {
                self.next_step(pool, client, user, step.at).await
            } else {
                self.signed_in(pool, client, user, step.at).await
            };
        }
        match (next.as_deref(), srp_a) {
            (Some(CUSTOM_CHALLENGE), _) => self
                .create_challenge(&step, state)
                .await
                .map(AuthOutcome::Challenge),
            (Some(PASSWORD_VERIFIER), Some(srp_a)) => {
                let name = state.user_name.clone();
                self.password_verifier_challenge(
                    pool,
                    client,
                    &name,
                    step.user.as_ref(),
                    srp_a,
                    Some(state),
                )
                .await
                .map(AuthOutcome::Challenge)
            }
            // No decision, or a challenge this flow cannot give.
            _ => Err(invalid_response()),
        }
    }

    /// CreateAuthChallenge_Authentication: the CUSTOM_CHALLENGE the client
    /// gets (its public parameters and USERNAME) and a new Session sealing
    /// the private ones.
    async fn create_challenge(
        &self,
        step: &Step<'_>,
        mut state: CustomAuthState,
    ) -> Result<Challenge> {
        let (pool, client) = (step.pool, step.client);
        if state.history.len() >= MAX_SESSION_ENTRIES {
            return Err(incorrect());
        }
        if !Trigger::CreateAuthChallenge.configured(pool) {
            return Err(not_configured());
        }
        let response = self
            .run_trigger(
                pool,
                Invocation {
                    trigger: Trigger::CreateAuthChallenge,
                    source: "CreateAuthChallenge_Authentication",
                    user_name: &state.user_name,
                    client_id: Some(&client.client_id),
                    request: step.request([
                        ("challengeName", json!(CUSTOM_CHALLENGE)),
                        ("session", session_array(&state.history)),
                    ]),
                    response: json!({
                        "publicChallengeParameters": null,
                        "privateChallengeParameters": null,
                        "challengeMetadata": null,
                    }),
                },
            )
            .await?
            .ok_or_else(not_configured)?;
        let mut parameters = string_map(&response, "publicChallengeParameters")?;
        state.private = string_map(&response, "privateChallengeParameters")?;
        state.metadata = text(&response, "challengeMetadata")?;
        state.id = uuid::Uuid::new_v4();
        // Cognito adds USERNAME, the user's own name, for the answer.
        parameters.insert("USERNAME".into(), state.user_name.clone());
        let mut session = AuthSession::new(
            &pool.id,
            &client.client_id,
            step.user.as_ref().map(|u| u.sub),
            ChallengeName::CustomChallenge,
            self.clock.now().plus_seconds(client.auth_session_seconds()),
        );
        session.custom = Some(state);
        let sealed = session.seal(&self.master_key)?;
        // Private parameters too large to travel in a Session.
        if sealed.len() > MAX_SESSION_CHARS {
            return Err(invalid_response());
        }
        Ok(Challenge {
            name: ChallengeName::CustomChallenge,
            parameters,
            session: Some(sealed),
            available: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_parameters_are_strings_and_scalars_become_text() {
        let response = json!({
            "publicChallengeParameters": {"email": "a@example.com", "attempts": 1, "last": false, "gone": null},
        });
        let map = string_map(response.as_object().unwrap(), "publicChallengeParameters").unwrap();
        assert_eq!(
            map,
            BTreeMap::from([
                ("attempts".to_owned(), "1".to_owned()),
                ("email".to_owned(), "a@example.com".to_owned()),
                ("last".to_owned(), "false".to_owned()),
            ])
        );
        let nested = json!({ "p": {"x": {"y": 1}} });
        assert_eq!(
            string_map(nested.as_object().unwrap(), "p")
                .unwrap_err()
                .wire_name(),
            "InvalidLambdaResponseException"
        );
        let absent = json!({});
        assert!(
            string_map(absent.as_object().unwrap(), "p")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn the_session_array_has_cognitos_member_names() {
        let history = [ChallengeResult {
            challenge_name: "CUSTOM_CHALLENGE".into(),
            challenge_result: false,
            challenge_metadata: None,
        }];
        assert_eq!(
            session_array(&history),
            json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": null}])
        );
    }
}
