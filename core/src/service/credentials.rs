//! Setting and checking passwords, the same for every face: the pool's
//! policy, the credential the pool keeps (SRP verifier or argon2id), sealed
//! under the master key, and equal cost for users that do not exist.

use super::Idp;
use crate::credential::PasswordCredential;
use crate::crypto::SecretString;
use crate::error::Result;
use crate::model::{User, UserPool};

impl Idp {
    /// Checks `password` against the pool's policy, derives the credential
    /// the pool keeps and seals it into `user`. A temporary password expires
    /// after the pool's TemporaryPasswordValidityDays. A new password ends
    /// the user's hosted-UI sessions (see `access.rs`).
    pub async fn set_password(
        &self,
        pool: &UserPool,
        user: &mut User,
        password: &SecretString,
        temporary: bool,
    ) -> Result<()> {
        pool.config.password_policy().check(password.expose())?;
        self.seal_password(pool, user, password, temporary).await
    }

    /// As [`Idp::set_password`], without the pool's policy: for a password
    /// another directory already holds (UserMigration — developer guide,
    /// "Migrate user Lambda trigger": the policy is not enforced there).
    pub(crate) async fn seal_password(
        &self,
        pool: &UserPool,
        user: &mut User,
        password: &SecretString,
        temporary: bool,
    ) -> Result<()> {
        let credential = self
            .hasher
            .derive(pool.password_storage, &pool.id, &user.username, password)
            .await?;
        user.credential = Some(credential.seal(&self.master_key, &pool.id, &user.sub.to_string()));
        let now = self.clock.now();
        user.password_expires = temporary.then(|| {
            now.plus_seconds(
                pool.config
                    .password_policy()
                    .temporary_password_validity_days
                    * 86_400,
            )
        });
        self.end_sessions(user);
        Ok(())
    }

    /// Whether `password` is the user's. For a user that does not exist (or
    /// has no password) it spends the same time and answers false.
    pub async fn password_matches(
        &self,
        pool: &UserPool,
        user: Option<&User>,
        name: &str,
        password: &SecretString,
    ) -> Result<bool> {
        match user.and_then(|u| u.credential.as_ref().map(|c| (u, c))) {
            Some((user, sealed)) => {
                let credential = PasswordCredential::open(
                    &self.master_key,
                    &pool.id,
                    &user.sub.to_string(),
                    sealed,
                )?;
                self.hasher
                    .verify(&credential, &pool.id, &user.username, password)
                    .await
            }
            None => {
                self.hasher
                    .verify_unknown_user(pool.password_storage, &pool.id, name, password)
                    .await
            }
        }
    }
}
