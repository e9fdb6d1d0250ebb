//! PreAuthentication and PostAuthentication: the pool's functions around
//! every sign-in, whichever face and flow it came through (developer guide:
//! "Pre authentication Lambda trigger", "Post authentication Lambda
//! trigger"). A function that throws ends the sign-in with its message.

use serde_json::json;

use super::Idp;
use super::auth::Attempt;
use super::triggers::{Invocation, Trigger, metadata, user_attributes};
use crate::error::Result;
use crate::model::{User, UserPool, UserPoolClient};

impl Idp {
    /// PreAuthentication_Authentication, before the user's proof is
    /// checked. `user` is None for a name that matches no user when the
    /// client hides which users exist (`userNotFound`).
    pub(crate) async fn pre_authentication(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        name: &str,
        user: Option<&User>,
        at: Attempt<'_>,
    ) -> Result<()> {
        if !Trigger::PreAuthentication.configured(pool) {
            return Ok(());
        }
        let mut request = json!({
            "userAttributes": user.map_or_else(|| json!({}), user_attributes),
            "validationData": metadata(at.metadata),
        });
        // Developer guide: "populated when PreventUserExistenceErrors is
        // set to ENABLED for your User Pool client".
        if client.prevents_user_existence_errors() {
            request["userNotFound"] = json!(user.is_none());
        }
        self.run_trigger(
            pool,
            Invocation {
                trigger: Trigger::PreAuthentication,
                source: "PreAuthentication_Authentication",
                user_name: user.map_or(name, |u| u.username.as_str()),
                client_id: Some(&client.client_id),
                request,
                response: json!({}),
            },
        )
        .await?;
        Ok(())
    }

    /// PostAuthentication_Authentication, once the user has passed every
    /// challenge and before tokens are issued.
    pub(crate) async fn post_authentication(
        &self,
        pool: &UserPool,
        client: &UserPoolClient,
        user: &User,
        at: Attempt<'_>,
    ) -> Result<()> {
        self.run_trigger(
            pool,
            Invocation {
                trigger: Trigger::PostAuthentication,
                source: "PostAuthentication_Authentication",
                user_name: &user.username,
                client_id: Some(&client.client_id),
                request: json!({
                    "userAttributes": user_attributes(user),
                    "newDeviceUsed": false,
                    "clientMetadata": metadata(at.later_metadata()),
                }),
                response: json!({}),
            },
        )
        .await?;
        Ok(())
    }
}
