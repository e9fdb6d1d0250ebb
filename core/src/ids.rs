//! Identifiers in Cognito's shapes: pool ids `{region}_{9 alphanumerics}`,
//! 26-character client ids, 51-character client secrets, pool ARNs.

use rand::Rng;
use rand::distr::{Alphanumeric, SampleString};

/// The account id shown in ARNs; Cognate has no AWS accounts.
pub const ACCOUNT_ID: &str = "000000000000";

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn lower_alnum(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| LOWER_ALNUM[rng.random_range(0..LOWER_ALNUM.len())] as char)
        .collect()
}

pub fn new_user_pool_id(region: &str) -> String {
    format!(
        "{region}_{}",
        Alphanumeric.sample_string(&mut rand::rng(), 9)
    )
}

pub fn new_client_id() -> String {
    lower_alnum(26)
}

pub fn new_client_secret() -> String {
    lower_alnum(51)
}

pub fn user_pool_arn(region: &str, pool_id: &str) -> String {
    format!("arn:aws:cognito-idp:{region}:{ACCOUNT_ID}:userpool/{pool_id}")
}

/// The region part of a pool id, e.g. `us-east-1` of `us-east-1_AbC123xyz`.
pub fn region_of(pool_id: &str) -> Option<&str> {
    pool_id.split_once('_').map(|(r, _)| r)
}

/// Cognito API: UserPoolId pattern `[\w-]+_[0-9a-zA-Z]+`, length 1–55.
pub fn is_valid_user_pool_id(id: &str) -> bool {
    id.len() <= 55
        && match id.split_once('_') {
            Some((region, rest)) => {
                !region.is_empty()
                    && region
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    && !rest.is_empty()
                    && rest.chars().all(|c| c.is_ascii_alphanumeric())
            }
            None => false,
        }
}

/// Cognito API: ClientId pattern `[\w+]+`, length 1–128.
pub fn is_valid_client_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
}

/// AWS region names: lowercase letters, digits and dashes.
pub fn is_valid_region(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_cognito_shapes() {
        let pool = new_user_pool_id("us-east-1");
        assert!(is_valid_user_pool_id(&pool), "{pool}");
        assert_eq!(pool.len(), "us-east-1_".len() + 9);
        assert_eq!(region_of(&pool), Some("us-east-1"));
        let client = new_client_id();
        assert_eq!(client.len(), 26);
        assert!(is_valid_client_id(&client));
        assert_eq!(new_client_secret().len(), 51);
        assert_ne!(new_client_id(), new_client_id());
    }

    #[test]
    fn pool_id_pattern_rejects_bad_shapes() {
        for bad in [
            "",
            "nounderscore",
            "us-east-1_",
            "_abc",
            "us-east-1_ab$c",
            "us east_1",
        ] {
            assert!(!is_valid_user_pool_id(bad), "{bad}");
        }
    }
}
