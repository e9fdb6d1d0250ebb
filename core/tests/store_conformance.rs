//! Store conformance: one suite, run against SQLite and PostgreSQL. Each
//! check is an async function over `Arc<dyn Store>`; core's
//! `on_both_backends!` at the end makes `sqlite::<name>` and
//! `postgres::<name>` tests of it.
//!
//! PostgreSQL: `COGNATE_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), one schema per test. When it
//! cannot be reached the tests are skipped, unless
//! `COGNATE_REQUIRE_POSTGRES=1` makes that a failure.

use std::collections::BTreeSet;
use std::sync::Arc;

use cognate_core::model::client::UserPoolClientConfig;
use cognate_core::model::identity_pool::{
    Identity, IdentityLogin, IdentityPool, IdentityPoolConfig,
};
use cognate_core::model::pool::{
    AliasAttribute, NewUserPool, UsernameConfiguration, VerifiableAttribute,
};
use cognate_core::model::user::{KeyKind, UserKey, UserSettings};
use cognate_core::model::{Group, User, UserPool, UserPoolClient, UserStatus};
use cognate_core::store::oauth::{AuthCodeRecord, CodeGrant, Redemption};
use cognate_core::store::refresh_tokens::SessionSeen;
use cognate_core::store::sso_sessions::SsoSessionRecord;
use cognate_core::store::{
    PgStore, SamlSigningCertificate, SigningKey, SqliteStore, Store, StsCredential, UserFilter,
};
use cognate_core::test_support::{Backend, PgSchema};
use cognate_core::{CognitoError, Timestamp};
use tempfile::TempDir;
use uuid::Uuid;

const NOW: Timestamp = Timestamp(1_700_000_000_000);

// ---------------------------------------------------------------- harness

/// A store under test and what must be cleaned up after it.
struct Harness {
    store: Arc<dyn Store>,
    _dir: Option<TempDir>,
    _schema: Option<PgSchema>,
}

impl Harness {
    /// A fresh store on `backend`; None when PostgreSQL is unreachable and
    /// not required.
    async fn open(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = TempDir::new().expect("temp dir");
                let store = SqliteStore::open(&dir.path().join("cognate.db"))
                    .await
                    .expect("open sqlite store");
                Some(Self {
                    store: Arc::new(store),
                    _dir: Some(dir),
                    _schema: None,
                })
            }
            Backend::Postgres => {
                let schema = PgSchema::create().await?;
                let store = PgStore::connect(schema.url())
                    .await
                    .expect("migrate postgres store");
                Some(Self {
                    store: Arc::new(store),
                    _dir: None,
                    _schema: Some(schema),
                })
            }
        }
    }
}

// ---------------------------------------------------------------- helpers

fn new_pool(
    case_sensitive: bool,
    alias_attributes: Vec<AliasAttribute>,
    username_attributes: Vec<VerifiableAttribute>,
) -> UserPool {
    UserPool::create(
        NewUserPool {
            pool_name: "conformance".into(),
            alias_attributes,
            username_attributes,
            username_configuration: Some(UsernameConfiguration { case_sensitive }),
            ..Default::default()
        },
        "us-east-1",
        NOW,
    )
    .expect("valid pool")
}

async fn make_pool(s: &Arc<dyn Store>, pool: UserPool) -> UserPool {
    s.create_pool(&pool).await.expect("create pool");
    pool
}

fn new_user(pool: &UserPool, username: &str, attrs: &[(&str, &str)]) -> User {
    let mut u = User::new(&pool.id, username, NOW);
    for (k, v) in attrs {
        u.set_attribute(k, v);
    }
    u
}

async fn make_user(
    s: &Arc<dyn Store>,
    pool: &UserPool,
    username: &str,
    attrs: &[(&str, &str)],
) -> User {
    let u = new_user(pool, username, attrs);
    s.create_user(pool, &u).await.expect("create user");
    u
}

fn key(kind: KeyKind, value: &str) -> UserKey {
    UserKey {
        kind,
        value: value.into(),
    }
}

fn eq(attribute: &str, value: &str) -> UserFilter {
    UserFilter::Equals {
        attribute: attribute.into(),
        value: value.into(),
    }
}

fn prefix(attribute: &str, value: &str) -> UserFilter {
    UserFilter::Prefix {
        attribute: attribute.into(),
        value: value.into(),
    }
}

/// Every user of a listing, following tokens page by page.
async fn all_users(
    s: &Arc<dyn Store>,
    pool_id: &str,
    filter: Option<&UserFilter>,
    page: usize,
) -> Vec<User> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let p = s
            .list_users(pool_id, filter, page, token.as_deref())
            .await
            .expect("list users");
        assert!(p.items.len() <= page, "page larger than its limit");
        out.extend(p.items);
        match p.next {
            Some(t) => token = Some(t),
            None => return out,
        }
    }
}

async fn usernames(s: &Arc<dyn Store>, pool_id: &str, filter: Option<&UserFilter>) -> Vec<String> {
    all_users(s, pool_id, filter, 2)
        .await
        .into_iter()
        .map(|u| u.username)
        .collect()
}

fn wire(r: Result<impl std::fmt::Debug, CognitoError>) -> &'static str {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.wire_name(),
    }
}

fn pool_eq(a: &UserPool, b: &UserPool) {
    let mut a = a.clone();
    a.estimated_number_of_users = b.estimated_number_of_users;
    assert_eq!(&a, b);
}

// ---------------------------------------------------------------- checks

async fn pools_crud(s: Arc<dyn Store>) {
    s.ping().await.expect("ping");
    let mut pool = make_pool(&s, new_pool(false, vec![], vec![])).await;
    let got = s.get_pool(&pool.id).await.unwrap().expect("pool stored");
    pool_eq(&pool, &got);
    assert_eq!(got.estimated_number_of_users, 0);
    assert!(s.get_pool("us-east-1_nothere").await.unwrap().is_none());

    let mut config = pool.config.clone();
    config.policies.password_policy.minimum_length = 12;
    pool.update(config, Timestamp(NOW.0 + 5_000)).unwrap();
    s.update_pool(&pool).await.expect("update pool");
    let got = s.get_pool(&pool.id).await.unwrap().unwrap();
    assert_eq!(got.config.policies.password_policy.minimum_length, 12);
    assert_eq!(got.last_modified_date, Timestamp(NOW.0 + 5_000));

    let ghost = new_pool(true, vec![], vec![]);
    assert_eq!(
        wire(s.update_pool(&ghost).await),
        "ResourceNotFoundException"
    );

    let mut ids: BTreeSet<String> = [pool.id.clone()].into();
    for _ in 0..4 {
        ids.insert(make_pool(&s, new_pool(true, vec![], vec![])).await.id);
    }
    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = s.list_pools(2, token.as_deref()).await.unwrap();
        listed.extend(page.items.into_iter().map(|p| p.id));
        match page.next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(
        listed,
        ids.iter().cloned().collect::<Vec<_>>(),
        "ordered by id, each once"
    );

    assert!(s.delete_pool(&pool.id).await.unwrap());
    assert!(!s.delete_pool(&pool.id).await.unwrap());
    assert!(s.get_pool(&pool.id).await.unwrap().is_none());
}

async fn clients_crud(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let other = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let config = UserPoolClientConfig {
        client_name: "web".into(),
        ..Default::default()
    };
    let mut client = UserPoolClient::create(&pool.id, config.clone(), true, NOW).unwrap();
    s.create_client(&client).await.expect("create client");
    assert_eq!(
        s.get_client(&pool.id, &client.client_id).await.unwrap(),
        Some(client.clone())
    );
    assert_eq!(
        s.find_client(&client.client_id).await.unwrap(),
        Some(client.clone())
    );
    assert_eq!(
        s.get_client(&other.id, &client.client_id).await.unwrap(),
        None,
        "scoped to its pool"
    );

    let mut renamed = config.clone();
    renamed.client_name = "web2".into();
    client.update(renamed, Timestamp(NOW.0 + 1)).unwrap();
    s.update_client(&client).await.expect("update client");
    assert_eq!(
        s.find_client(&client.client_id)
            .await
            .unwrap()
            .unwrap()
            .config
            .client_name,
        "web2"
    );

    let orphan = UserPoolClient::create("us-east-1_nothere", config.clone(), false, NOW).unwrap();
    assert_eq!(
        wire(s.create_client(&orphan).await),
        "ResourceNotFoundException"
    );
    assert_eq!(
        wire(s.update_client(&orphan).await),
        "ResourceNotFoundException"
    );

    let mut ids: BTreeSet<String> = [client.client_id.clone()].into();
    for _ in 0..4 {
        let c = UserPoolClient::create(&pool.id, config.clone(), false, NOW).unwrap();
        s.create_client(&c).await.unwrap();
        ids.insert(c.client_id);
    }
    let first = s.list_clients(&pool.id, 3, None).await.unwrap();
    assert_eq!(first.items.len(), 3);
    let second = s
        .list_clients(&pool.id, 3, first.next.as_deref())
        .await
        .unwrap();
    assert_eq!(second.items.len(), 2);
    assert_eq!(second.next, None);
    let listed: Vec<String> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|c| c.client_id.clone())
        .collect();
    assert_eq!(listed, ids.iter().cloned().collect::<Vec<_>>());
    assert!(
        s.list_clients(&other.id, 10, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );

    assert!(
        !s.delete_client(&other.id, &client.client_id).await.unwrap(),
        "wrong pool"
    );
    assert!(s.delete_client(&pool.id, &client.client_id).await.unwrap());
    assert!(s.find_client(&client.client_id).await.unwrap().is_none());
}

async fn users_crud(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(false, vec![AliasAttribute::Email], vec![])).await;
    let mut user = new_user(
        &pool,
        "Alice",
        &[("email", "alice@example.com"), ("name", "Alice A")],
    );
    user.credential = Some(vec![0, 1, 2, 255]);
    user.password_expires = Some(Timestamp(NOW.0 + 86_400_000));
    user.settings = UserSettings {
        preferred_mfa: Some("SOFTWARE_TOKEN_MFA".into()),
        enabled_mfa: vec!["SOFTWARE_TOKEN_MFA".into()],
        ..Default::default()
    };
    s.create_user(&pool, &user).await.expect("create user");

    assert_eq!(
        s.get_user_by_sub(&pool.id, user.sub).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Username, "alice"))
            .await
            .unwrap(),
        Some(user.clone()),
        "found by its normalized username"
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Username, "Alice"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Email, "alice@example.com"))
            .await
            .unwrap(),
        None,
        "an unverified email is no alias"
    );
    assert_eq!(
        s.get_user_by_sub(&pool.id, Uuid::new_v4()).await.unwrap(),
        None
    );

    user.status = UserStatus::Confirmed;
    user.enabled = false;
    user.set_attribute("email_verified", "true");
    user.credential = None;
    user.modified = Timestamp(NOW.0 + 10);
    s.update_user(&pool, &user).await.expect("update user");
    assert_eq!(
        s.get_user_by_sub(&pool.id, user.sub).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Email, "alice@example.com"))
            .await
            .unwrap()
            .map(|u| u.sub),
        Some(user.sub),
        "a verified email is an alias"
    );

    let ghost = new_user(&pool, "ghost", &[]);
    assert_eq!(
        wire(s.update_user(&pool, &ghost).await),
        "UserNotFoundException"
    );
    let orphan_pool = new_pool(true, vec![], vec![]);
    let orphan = new_user(&orphan_pool, "orphan", &[]);
    assert_eq!(
        wire(s.create_user(&orphan_pool, &orphan).await),
        "ResourceNotFoundException"
    );

    make_user(&s, &pool, "bob", &[]).await;
    assert_eq!(s.count_users(&pool.id).await.unwrap(), 2);
    assert_eq!(
        s.get_pool(&pool.id)
            .await
            .unwrap()
            .unwrap()
            .estimated_number_of_users,
        2
    );

    assert!(s.delete_user(&pool.id, user.sub).await.unwrap());
    assert!(!s.delete_user(&pool.id, user.sub).await.unwrap());
    assert_eq!(s.get_user_by_sub(&pool.id, user.sub).await.unwrap(), None);
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Username, "alice"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(s.count_users(&pool.id).await.unwrap(), 1);
    assert_eq!(
        s.get_pool(&pool.id)
            .await
            .unwrap()
            .unwrap()
            .estimated_number_of_users,
        1
    );
    // Its keys went with it: the name and the email are free again.
    make_user(
        &s,
        &pool,
        "ALICE",
        &[("email", "alice@example.com"), ("email_verified", "true")],
    )
    .await;
}

async fn groups_and_memberships(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let mut admins = Group::new(
        &pool.id,
        "admins",
        Some("Admins".into()),
        None,
        Some(1),
        NOW,
    )
    .unwrap();
    s.create_group(&admins).await.expect("create group");
    match s.create_group(&admins).await {
        Err(CognitoError::GroupExists(m)) => {
            assert_eq!(m, "A group with the name admins already exists.")
        }
        other => panic!("expected GroupExists, got {other:?}"),
    }
    let orphan = Group::new("us-east-1_nothere", "g", None, None, None, NOW).unwrap();
    assert_eq!(
        wire(s.create_group(&orphan).await),
        "ResourceNotFoundException"
    );
    assert_eq!(
        wire(s.update_group(&orphan).await),
        "ResourceNotFoundException"
    );
    assert_eq!(
        s.get_group(&pool.id, "admins").await.unwrap(),
        Some(admins.clone())
    );
    admins.description = Some("The admins".into());
    s.update_group(&admins).await.unwrap();
    assert_eq!(
        s.get_group(&pool.id, "admins")
            .await
            .unwrap()
            .unwrap()
            .description
            .as_deref(),
        Some("The admins")
    );

    for name in ["b", "c", "d"] {
        s.create_group(&Group::new(&pool.id, name, None, None, None, NOW).unwrap())
            .await
            .unwrap();
    }
    let p1 = s.list_groups(&pool.id, 3, None).await.unwrap();
    let p2 = s
        .list_groups(&pool.id, 3, p1.next.as_deref())
        .await
        .unwrap();
    let names: Vec<_> = p1
        .items
        .iter()
        .chain(&p2.items)
        .map(|g| g.group_name.as_str())
        .collect();
    assert_eq!(names, ["admins", "b", "c", "d"]);
    assert_eq!(p2.next, None);

    let alice = make_user(&s, &pool, "alice", &[]).await;
    let bob = make_user(&s, &pool, "bob", &[]).await;
    s.add_user_to_group(&pool.id, "admins", alice.sub)
        .await
        .unwrap();
    s.add_user_to_group(&pool.id, "admins", alice.sub)
        .await
        .expect("idempotent");
    s.add_user_to_group(&pool.id, "b", alice.sub).await.unwrap();
    s.add_user_to_group(&pool.id, "admins", bob.sub)
        .await
        .unwrap();
    assert_eq!(
        wire(s.add_user_to_group(&pool.id, "nope", alice.sub).await),
        "ResourceNotFoundException"
    );
    assert_eq!(
        wire(
            s.add_user_to_group(&pool.id, "admins", Uuid::new_v4())
                .await
        ),
        "UserNotFoundException"
    );

    let groups = s
        .list_groups_for_user(&pool.id, alice.sub, 1, None)
        .await
        .unwrap();
    assert_eq!(groups.items[0].group_name, "admins");
    let groups2 = s
        .list_groups_for_user(&pool.id, alice.sub, 1, groups.next.as_deref())
        .await
        .unwrap();
    assert_eq!(groups2.items[0].group_name, "b");
    assert_eq!(groups2.next, None);
    // Unpaged, for tokens: all of them in one read; none for nobody.
    let mut all: Vec<String> = s
        .groups_of_user(&pool.id, alice.sub)
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.group_name)
        .collect();
    all.sort();
    assert_eq!(all, ["admins", "b"]);
    assert!(
        s.groups_of_user(&pool.id, Uuid::new_v4())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        wire(
            s.list_groups_for_user(&pool.id, Uuid::new_v4(), 10, None)
                .await
        ),
        "UserNotFoundException"
    );

    let members = s
        .list_users_in_group(&pool.id, "admins", 1, None)
        .await
        .unwrap();
    let members2 = s
        .list_users_in_group(&pool.id, "admins", 1, members.next.as_deref())
        .await
        .unwrap();
    let mut subs: Vec<Uuid> = members
        .items
        .iter()
        .chain(&members2.items)
        .map(|u| u.sub)
        .collect();
    assert_eq!(members2.next, None);
    let mut expected = vec![alice.sub, bob.sub];
    expected.sort();
    subs.sort();
    assert_eq!(subs, expected);
    assert_eq!(
        wire(s.list_users_in_group(&pool.id, "nope", 10, None).await),
        "ResourceNotFoundException"
    );

    s.remove_user_from_group(&pool.id, "admins", bob.sub)
        .await
        .unwrap();
    s.remove_user_from_group(&pool.id, "admins", bob.sub)
        .await
        .expect("idempotent");
    let members = s
        .list_users_in_group(&pool.id, "admins", 10, None)
        .await
        .unwrap();
    assert_eq!(
        members.items.iter().map(|u| u.sub).collect::<Vec<_>>(),
        [alice.sub]
    );

    // Deleting a group ends its memberships; deleting a user ends theirs.
    assert!(s.delete_group(&pool.id, "b").await.unwrap());
    assert!(!s.delete_group(&pool.id, "b").await.unwrap());
    let groups = s
        .list_groups_for_user(&pool.id, alice.sub, 10, None)
        .await
        .unwrap();
    assert_eq!(
        groups
            .items
            .iter()
            .map(|g| g.group_name.as_str())
            .collect::<Vec<_>>(),
        ["admins"]
    );
    s.create_group(&Group::new(&pool.id, "b", None, None, None, NOW).unwrap())
        .await
        .unwrap();
    assert!(
        s.list_users_in_group(&pool.id, "b", 10, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(s.delete_user(&pool.id, alice.sub).await.unwrap());
    assert!(
        s.list_users_in_group(&pool.id, "admins", 10, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

fn signing_key(pool_id: &str, kid: &str, created: i64) -> SigningKey {
    SigningKey {
        pool_id: pool_id.into(),
        kid: kid.into(),
        sealed_private_key: vec![1, 2, 3, kid.len() as u8],
        public_jwk: format!(r#"{{"kid":"{kid}","kty":"RSA"}}"#),
        created: Timestamp(created),
        retired: None,
    }
}

async fn signing_keys_newest_first(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let other = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let k1 = signing_key(&pool.id, "k1", NOW.0);
    let k2 = signing_key(&pool.id, "k2", NOW.0 + 1000);
    let k3 = signing_key(&pool.id, "k3", NOW.0 + 2000);
    for k in [&k2, &k1, &k3] {
        s.put_signing_key(k).await.unwrap();
    }
    s.put_signing_key(&signing_key(&other.id, "x", NOW.0))
        .await
        .unwrap();
    assert_eq!(
        s.signing_keys(&pool.id).await.unwrap(),
        vec![k3.clone(), k2.clone(), k1.clone()]
    );

    let mut retired = k1.clone();
    retired.retired = Some(Timestamp(NOW.0 + 3000));
    s.put_signing_key(&retired)
        .await
        .expect("retiring replaces the key");
    assert_eq!(
        s.signing_keys(&pool.id).await.unwrap(),
        vec![k3, k2, retired]
    );
    assert_eq!(
        wire(
            s.put_signing_key(&signing_key("us-east-1_nothere", "k", NOW.0))
                .await
        ),
        "ResourceNotFoundException"
    );
    assert!(
        s.signing_keys("us-east-1_nothere")
            .await
            .unwrap()
            .is_empty()
    );
}

/// SAML Profiles §4.1.4.5: an assertion is used once per scope; another
/// scope may use the same id; once its NotOnOrAfter has passed it is
/// pruned (and its id is then refused by its expiry check, not here).
async fn saml_assertions_used_once(s: Arc<dyn Store>) {
    let later = Timestamp(NOW.0 + 60_000);
    assert!(
        s.use_saml_assertion("pool-a", "_a1", later, NOW)
            .await
            .unwrap()
    );
    assert!(
        !s.use_saml_assertion("pool-a", "_a1", later, NOW)
            .await
            .unwrap()
    );
    assert!(
        s.use_saml_assertion("pool-b", "_a1", later, NOW)
            .await
            .unwrap()
    );
    assert!(
        s.use_saml_assertion("pool-a", "_a2", later, NOW)
            .await
            .unwrap()
    );
    // After NotOnOrAfter the record is gone: the id may be recorded again.
    let after = Timestamp(later.0 + 1);
    assert!(
        s.use_saml_assertion("pool-a", "_a1", Timestamp(after.0 + 60_000), after)
            .await
            .unwrap()
    );
    assert!(
        !s.use_saml_assertion("pool-a", "_a1", Timestamp(after.0 + 60_000), after)
            .await
            .unwrap()
    );
}

/// GetSigningCertificate: the first certificate of a pool stays; another
/// pool's is its own; a deleted pool takes its certificate with it.
async fn saml_certificate_first_one_stays(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let other = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let cert = |pool_id: &str, n: u8| SamlSigningCertificate {
        pool_id: pool_id.into(),
        sealed_private_key: vec![9, n],
        certificate_der: vec![0x30, n, n],
        created: Timestamp(NOW.0 + i64::from(n)),
    };
    assert_eq!(s.saml_certificate(&pool.id).await.unwrap(), None);
    s.add_saml_certificate(&cert(&pool.id, 1)).await.unwrap();
    s.add_saml_certificate(&cert(&pool.id, 2))
        .await
        .expect("a second certificate is no error");
    s.add_saml_certificate(&cert(&other.id, 3)).await.unwrap();
    assert_eq!(
        s.saml_certificate(&pool.id).await.unwrap(),
        Some(cert(&pool.id, 1))
    );
    assert_eq!(
        s.saml_certificate(&other.id).await.unwrap(),
        Some(cert(&other.id, 3))
    );
    assert_eq!(
        wire(s.add_saml_certificate(&cert("us-east-1_nothere", 4)).await),
        "ResourceNotFoundException"
    );
    assert!(s.delete_pool(&pool.id).await.unwrap());
    assert_eq!(s.saml_certificate(&pool.id).await.unwrap(), None);
}

async fn delete_pool_cascades(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(false, vec![AliasAttribute::Email], vec![])).await;
    let keep = make_pool(&s, new_pool(false, vec![], vec![])).await;
    let client = UserPoolClient::create(
        &pool.id,
        UserPoolClientConfig {
            client_name: "c".into(),
            ..Default::default()
        },
        false,
        NOW,
    )
    .unwrap();
    s.create_client(&client).await.unwrap();
    let alice = make_user(
        &s,
        &pool,
        "alice",
        &[("email", "a@x.org"), ("email_verified", "true")],
    )
    .await;
    make_user(&s, &keep, "alice", &[]).await;
    s.create_group(&Group::new(&pool.id, "g", None, None, None, NOW).unwrap())
        .await
        .unwrap();
    s.add_user_to_group(&pool.id, "g", alice.sub).await.unwrap();
    s.put_signing_key(&signing_key(&pool.id, "k", NOW.0))
        .await
        .unwrap();

    assert!(s.delete_pool(&pool.id).await.unwrap());
    assert_eq!(s.find_client(&client.client_id).await.unwrap(), None);
    assert_eq!(s.get_user_by_sub(&pool.id, alice.sub).await.unwrap(), None);
    assert_eq!(s.count_users(&pool.id).await.unwrap(), 0);
    assert!(s.signing_keys(&pool.id).await.unwrap().is_empty());

    // Recreate the same pool id: nothing of the old one may show through.
    s.create_pool(&pool).await.unwrap();
    assert_eq!(
        s.get_pool(&pool.id)
            .await
            .unwrap()
            .unwrap()
            .estimated_number_of_users,
        0
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Username, "alice"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Email, "a@x.org"))
            .await
            .unwrap(),
        None
    );
    assert!(
        s.list_users(&pool.id, None, 10, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        s.list_users(&pool.id, Some(&eq("email", "a@x.org")), 10, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        s.list_groups(&pool.id, 10, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        s.list_clients(&pool.id, 10, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    make_user(
        &s,
        &pool,
        "alice",
        &[("email", "a@x.org"), ("email_verified", "true")],
    )
    .await;

    // The other pool is untouched.
    assert_eq!(s.count_users(&keep.id).await.unwrap(), 1);
    assert!(
        s.find_user(&keep.id, &key(KeyKind::Username, "alice"))
            .await
            .unwrap()
            .is_some()
    );
}

async fn username_unique_case_insensitive(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(false, vec![], vec![])).await;
    let alice = make_user(&s, &pool, "Alice", &[]).await;
    let clash = new_user(&pool, "alice", &[]);
    match s.create_user(&pool, &clash).await {
        Err(CognitoError::UsernameExists(m)) => assert_eq!(m, "User account already exists"),
        other => panic!("expected UsernameExists, got {other:?}"),
    }
    assert_eq!(
        s.get_user_by_sub(&pool.id, clash.sub).await.unwrap(),
        None,
        "nothing written"
    );
    assert_eq!(s.count_users(&pool.id).await.unwrap(), 1);
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Username, "alice"))
            .await
            .unwrap()
            .map(|u| u.username),
        Some("Alice".into())
    );
    // Renaming to a clashing case variant of oneself is fine.
    let mut renamed = alice.clone();
    renamed.username = "ALICE".into();
    s.update_user(&pool, &renamed).await.unwrap();
}

async fn username_unique_case_sensitive(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let a = make_user(&s, &pool, "Alice", &[]).await;
    let b = make_user(&s, &pool, "alice", &[]).await;
    assert_eq!(
        wire(s.create_user(&pool, &new_user(&pool, "alice", &[])).await),
        "UsernameExistsException"
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Username, "Alice"))
            .await
            .unwrap()
            .map(|u| u.sub),
        Some(a.sub)
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Username, "alice"))
            .await
            .unwrap()
            .map(|u| u.sub),
        Some(b.sub)
    );
    // The same username in another pool is no clash.
    let other = make_pool(&s, new_pool(true, vec![], vec![])).await;
    make_user(&s, &other, "alice", &[]).await;
}

async fn email_and_phone_as_username_unique(s: Arc<dyn Store>) {
    let pool = make_pool(
        &s,
        new_pool(
            false,
            vec![],
            vec![VerifiableAttribute::Email, VerifiableAttribute::PhoneNumber],
        ),
    )
    .await;
    let first = make_user(
        &s,
        &pool,
        &Uuid::new_v4().to_string(),
        &[("email", "Ann@Example.com"), ("phone_number", "+15550001")],
    )
    .await;
    // Cognito API: SignUp — with UsernameAttributes, a taken email or phone is a taken username.
    let same_email = new_user(
        &pool,
        &Uuid::new_v4().to_string(),
        &[("email", "ann@example.COM")],
    );
    match s.create_user(&pool, &same_email).await {
        Err(CognitoError::UsernameExists(m)) => {
            assert_eq!(m, "An account with the given email already exists.")
        }
        other => panic!("expected UsernameExists, got {other:?}"),
    }
    let same_phone = new_user(
        &pool,
        &Uuid::new_v4().to_string(),
        &[("phone_number", "+15550001")],
    );
    assert_eq!(
        wire(s.create_user(&pool, &same_phone).await),
        "UsernameExistsException"
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Email, "ann@example.com"))
            .await
            .unwrap()
            .map(|u| u.sub),
        Some(first.sub)
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::PhoneNumber, "+15550001"))
            .await
            .unwrap()
            .map(|u| u.sub),
        Some(first.sub)
    );
    assert_eq!(s.count_users(&pool.id).await.unwrap(), 1);
}

async fn verified_alias_unique(s: Arc<dyn Store>) {
    let pool = make_pool(
        &s,
        new_pool(
            false,
            vec![
                AliasAttribute::Email,
                AliasAttribute::PhoneNumber,
                AliasAttribute::PreferredUsername,
            ],
            vec![],
        ),
    )
    .await;
    make_user(
        &s,
        &pool,
        "a",
        &[
            ("email", "x@example.com"),
            ("email_verified", "true"),
            ("preferred_username", "Ace"),
        ],
    )
    .await;
    // An unverified email is not an alias yet, so it may repeat.
    let b = make_user(&s, &pool, "b", &[("email", "x@example.com")]).await;
    let c = new_user(
        &pool,
        "c",
        &[("email", "X@example.com"), ("email_verified", "true")],
    );
    match s.create_user(&pool, &c).await {
        Err(CognitoError::AliasExists(m)) => {
            assert_eq!(m, "An account with the given email already exists.")
        }
        other => panic!("expected AliasExists, got {other:?}"),
    }
    // Nothing half-written: c's username is still free.
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Username, "c"))
            .await
            .unwrap(),
        None
    );
    make_user(
        &s,
        &pool,
        "c",
        &[("email", "c@example.com"), ("email_verified", "true")],
    )
    .await;
    assert_eq!(
        wire(
            s.create_user(
                &pool,
                &new_user(&pool, "d", &[("preferred_username", "ACE")])
            )
            .await
        ),
        "AliasExistsException"
    );

    // Verifying b's email would make a second alias: refused, b unchanged.
    let mut b2 = b.clone();
    b2.set_attribute("email_verified", "true");
    b2.status = UserStatus::Confirmed;
    assert_eq!(
        wire(s.update_user(&pool, &b2).await),
        "AliasExistsException"
    );
    assert_eq!(
        s.get_user_by_sub(&pool.id, b.sub).await.unwrap(),
        Some(b.clone())
    );
}

async fn update_user_clash_leaves_user_unchanged(s: Arc<dyn Store>) {
    let pool = make_pool(
        &s,
        new_pool(false, vec![], vec![VerifiableAttribute::Email]),
    )
    .await;
    make_user(&s, &pool, "u-a", &[("email", "a@example.com")]).await;
    let b = make_user(
        &s,
        &pool,
        "u-b",
        &[("email", "b@example.com"), ("name", "Bee")],
    )
    .await;

    let mut changed = b.clone();
    changed.set_attribute("email", "A@example.com");
    changed.set_attribute("name", "Changed");
    changed.username = "u-b2".into();
    assert_eq!(
        wire(s.update_user(&pool, &changed).await),
        "UsernameExistsException"
    );

    assert_eq!(
        s.get_user_by_sub(&pool.id, b.sub).await.unwrap(),
        Some(b.clone())
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Email, "b@example.com"))
            .await
            .unwrap()
            .map(|u| u.sub),
        Some(b.sub),
        "old keys kept"
    );
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Username, "u-b2"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("email", "b@example.com"))).await,
        ["u-b"]
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("name", "Bee"))).await,
        ["u-b"]
    );
    assert!(
        usernames(&s, &pool.id, Some(&eq("name", "Changed")))
            .await
            .is_empty()
    );

    // A free email goes through, and frees the old one.
    changed.set_attribute("email", "c@example.com");
    s.update_user(&pool, &changed).await.unwrap();
    assert_eq!(
        s.find_user(&pool.id, &key(KeyKind::Email, "b@example.com"))
            .await
            .unwrap(),
        None
    );
    make_user(&s, &pool, "u-d", &[("email", "b@example.com")]).await;
}

/// ~50 writers of one username at once: exactly one wins.
async fn concurrent_same_username(s: Arc<dyn Store>) {
    let pool = Arc::new(make_pool(&s, new_pool(false, vec![], vec![])).await);
    let results = race(&s, &pool, |i| {
        let name = if i % 2 == 0 { "Racer" } else { "racer" };
        (name.to_owned(), vec![])
    })
    .await;
    assert_race(&results, "UsernameExistsException");
    assert_eq!(s.count_users(&pool.id).await.unwrap(), 1);
    assert_eq!(
        s.get_pool(&pool.id)
            .await
            .unwrap()
            .unwrap()
            .estimated_number_of_users,
        1
    );
}

/// ~50 writers of one verified email (as alias) at once: exactly one wins.
async fn concurrent_same_email(s: Arc<dyn Store>) {
    let pool = Arc::new(make_pool(&s, new_pool(false, vec![AliasAttribute::Email], vec![])).await);
    let results = race(&s, &pool, |i| {
        (
            format!("user{i}"),
            vec![
                ("email".to_owned(), "same@example.com".to_owned()),
                ("email_verified".to_owned(), "true".to_owned()),
            ],
        )
    })
    .await;
    assert_race(&results, "AliasExistsException");
    assert_eq!(s.count_users(&pool.id).await.unwrap(), 1);
    assert_eq!(
        all_users(&s, &pool.id, None, 60).await.len(),
        1,
        "losers left nothing behind"
    );
}

const RACERS: usize = 50;

async fn race(
    s: &Arc<dyn Store>,
    pool: &Arc<UserPool>,
    make: impl Fn(usize) -> (String, Vec<(String, String)>),
) -> Vec<Result<(), CognitoError>> {
    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for i in 0..RACERS {
        let (name, attrs) = make(i);
        let mut user = User::new(&pool.id, &name, NOW);
        for (k, v) in &attrs {
            user.set_attribute(k, v);
        }
        let (s, pool, barrier) = (s.clone(), pool.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            s.create_user(&pool, &user).await
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

fn assert_race(results: &[Result<(), CognitoError>], loser: &str) {
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "exactly one writer wins: {results:?}");
    for r in results {
        if let Err(e) = r {
            assert_eq!(e.wire_name(), loser, "{e}");
        }
    }
}

/// Keyset tokens: rows inserted before the cursor between pages neither
/// shift nor repeat what comes after it.
async fn pagination_stable_under_inserts(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    for i in 0..20 {
        let name = format!("m{i:02}");
        make_user(
            &s,
            &pool,
            &name,
            &[("email", &format!("e.{name}@example.com"))],
        )
        .await;
    }

    // Emails sort as usernames do, so both listings share one order.
    for (run, filter) in [("u", None), ("f", Some(prefix("email", "e.")))] {
        let expected: BTreeSet<String> = usernames(&s, &pool.id, filter.as_ref())
            .await
            .into_iter()
            .collect();
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        let mut round = 0;
        loop {
            let page = s
                .list_users(&pool.id, filter.as_ref(), 3, token.as_deref())
                .await
                .unwrap();
            seen.extend(page.items.iter().map(|u| u.username.clone()));
            // After every page, insert a user that sorts before all others.
            let early = format!("0{run}{round}");
            make_user(
                &s,
                &pool,
                &early,
                &[("email", &format!("e.{early}@example.com"))],
            )
            .await;
            round += 1;
            match page.next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        let unique: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "no user repeated: {seen:?}");
        assert_eq!(
            unique, expected,
            "no user skipped, none from before the cursor: {filter:?}"
        );
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "stable order");
    }

    // A row inserted after the cursor shows up on a later page.
    let first = s.list_users(&pool.id, None, 2, None).await.unwrap();
    make_user(&s, &pool, "zz", &[]).await;
    let mut rest = Vec::new();
    let mut token = first.next;
    while let Some(t) = token {
        let page = s.list_users(&pool.id, None, 50, Some(&t)).await.unwrap();
        rest.extend(page.items.into_iter().map(|u| u.username));
        token = page.next;
    }
    assert_eq!(rest.last().map(String::as_str), Some("zz"));

    // The last page says so.
    let all = s.list_users(&pool.id, None, 1000, None).await.unwrap();
    assert_eq!(all.next, None);
    let exact = s
        .list_users(&pool.id, None, all.items.len(), None)
        .await
        .unwrap();
    assert_eq!(exact.next, None, "a full last page has no token");
}

async fn filters_exact_and_prefix(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let ann = make_user(
        &s,
        &pool,
        "ann",
        &[
            ("email", "ann@example.com"),
            ("given_name", "Ann"),
            ("phone_number", "+15550100"),
        ],
    )
    .await;
    let mut anna = new_user(&pool, "anna", &[("email", "anna@example.org")]);
    anna.status = UserStatus::Confirmed;
    s.create_user(&pool, &anna).await.unwrap();
    let mut bob = new_user(&pool, "bob", &[("email", "bob@example.com")]);
    bob.enabled = false;
    s.create_user(&pool, &bob).await.unwrap();
    make_user(&s, &pool, "Annie", &[("email", "Annie@example.com")]).await;

    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("email", "ann@example.com"))).await,
        ["ann"]
    );
    assert!(
        usernames(&s, &pool.id, Some(&eq("email", "ANN@example.com")))
            .await
            .is_empty(),
        "exact is case-sensitive"
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&prefix("email", "ann"))).await,
        ["ann", "anna"]
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&prefix("email", "ann@"))).await,
        ["ann"]
    );
    assert!(
        usernames(&s, &pool.id, Some(&prefix("email", "zed")))
            .await
            .is_empty()
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&prefix("email", "")))
            .await
            .len(),
        4,
        "empty prefix matches all"
    );

    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("username", "ann"))).await,
        ["ann"]
    );
    // Byte-wise order: "Annie" sorts before "ann".
    assert_eq!(
        usernames(&s, &pool.id, Some(&prefix("username", "An"))).await,
        ["Annie"]
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&prefix("username", "an"))).await,
        ["ann", "anna"]
    );
    assert_eq!(
        usernames(&s, &pool.id, None).await,
        ["Annie", "ann", "anna", "bob"]
    );

    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("cognito:user_status", "CONFIRMED"))).await,
        ["anna"]
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&prefix("cognito:user_status", "UNCONF")))
            .await
            .len(),
        3
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("status", "Disabled"))).await,
        ["bob"]
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("status", "Enabled")))
            .await
            .len(),
        3
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("sub", &ann.sub.to_string()))).await,
        ["ann"]
    );
    let sub_prefix = &ann.sub.to_string()[..8];
    assert!(
        usernames(&s, &pool.id, Some(&prefix("sub", sub_prefix)))
            .await
            .contains(&"ann".to_owned())
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("given_name", "Ann"))).await,
        ["ann"]
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&prefix("phone_number", "+1555"))).await,
        ["ann"]
    );

    // Cognito API: ListUsers — only the searchable attributes can be filtered.
    assert_eq!(
        wire(
            s.list_users(&pool.id, Some(&eq("custom:team", "x")), 10, None)
                .await
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        wire(
            s.list_users(&pool.id, Some(&eq("email_verified", "true")), 10, None)
                .await
        ),
        "InvalidParameterException"
    );

    // Many rows with the same value page through by sub.
    for i in 0..7 {
        make_user(&s, &pool, &format!("twin{i}"), &[("family_name", "Twin")]).await;
    }
    let twins = all_users(&s, &pool.id, Some(&eq("family_name", "Twin")), 2).await;
    assert_eq!(twins.len(), 7);
    let subs: Vec<Uuid> = twins.iter().map(|u| u.sub).collect();
    let mut sorted = subs.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(subs, sorted, "ordered by sub, no repeats");
    assert_eq!(
        all_users(&s, &pool.id, Some(&prefix("family_name", "Tw")), 3)
            .await
            .len(),
        7
    );

    // Other pools' users never show.
    let other = make_pool(&s, new_pool(true, vec![], vec![])).await;
    make_user(&s, &other, "ann", &[("email", "ann@example.com")]).await;
    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("email", "ann@example.com"))).await,
        ["ann"]
    );
}

async fn index_follows_updates(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let mut u = make_user(&s, &pool, "carol", &[("email", "carol@old.example")]).await;
    assert_eq!(
        usernames(&s, &pool.id, Some(&prefix("email", "carol@old"))).await,
        ["carol"]
    );

    u.set_attribute("email", "carol@new.example");
    u.status = UserStatus::Confirmed;
    u.enabled = false;
    s.update_user(&pool, &u).await.unwrap();
    assert!(
        usernames(&s, &pool.id, Some(&prefix("email", "carol@old")))
            .await
            .is_empty()
    );
    assert!(
        usernames(&s, &pool.id, Some(&eq("email", "carol@old.example")))
            .await
            .is_empty()
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&prefix("email", "carol@new"))).await,
        ["carol"]
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("cognito:user_status", "CONFIRMED"))).await,
        ["carol"]
    );
    assert!(
        usernames(
            &s,
            &pool.id,
            Some(&eq("cognito:user_status", "UNCONFIRMED"))
        )
        .await
        .is_empty()
    );
    assert_eq!(
        usernames(&s, &pool.id, Some(&eq("status", "Disabled"))).await,
        ["carol"]
    );

    u.remove_attribute("email");
    s.update_user(&pool, &u).await.unwrap();
    assert!(
        usernames(&s, &pool.id, Some(&prefix("email", "")))
            .await
            .is_empty()
    );

    assert!(s.delete_user(&pool.id, u.sub).await.unwrap());
    assert!(
        usernames(&s, &pool.id, Some(&eq("username", "carol")))
            .await
            .is_empty()
    );
    assert!(usernames(&s, &pool.id, None).await.is_empty());
}

async fn bad_tokens_are_invalid_parameter(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    for i in 0..3 {
        make_user(
            &s,
            &pool,
            &format!("u{i}"),
            &[("email", &format!("u{i}@x.org"))],
        )
        .await;
    }
    s.create_group(&Group::new(&pool.id, "g", None, None, None, NOW).unwrap())
        .await
        .unwrap();
    let filter = prefix("email", "u");
    let users_token = s
        .list_users(&pool.id, None, 1, None)
        .await
        .unwrap()
        .next
        .unwrap();
    let filter_token = s
        .list_users(&pool.id, Some(&filter), 1, None)
        .await
        .unwrap()
        .next
        .unwrap();

    for bad in ["garbage!", "", "bm90IGpzb24", "WyJ4Il0", &filter_token] {
        let r = s.list_users(&pool.id, None, 10, Some(bad)).await;
        match r {
            Err(CognitoError::InvalidParameter(m)) => assert_eq!(m, "Invalid pagination token"),
            other => panic!("token {bad:?}: expected InvalidParameter, got {other:?}"),
        }
    }
    for bad in ["garbage!", &users_token] {
        assert_eq!(
            wire(s.list_users(&pool.id, Some(&filter), 10, Some(bad)).await),
            "InvalidParameterException"
        );
        assert_eq!(
            wire(s.list_pools(10, Some(bad)).await),
            "InvalidParameterException"
        );
        assert_eq!(
            wire(s.list_clients(&pool.id, 10, Some(bad)).await),
            "InvalidParameterException"
        );
        assert_eq!(
            wire(s.list_groups(&pool.id, 10, Some(bad)).await),
            "InvalidParameterException"
        );
        assert_eq!(
            wire(s.list_users_in_group(&pool.id, "g", 10, Some(bad)).await),
            "InvalidParameterException"
        );
    }
    // A token naming a non-UUID sub.
    let forged = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"["f","u","not-a-uuid"]"#)
    };
    assert_eq!(
        wire(
            s.list_users(&pool.id, Some(&filter), 10, Some(&forged))
                .await
        ),
        "InvalidParameterException"
    );
    // Good tokens still work.
    assert_eq!(
        s.list_users(&pool.id, None, 10, Some(&users_token))
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(
        s.list_users(&pool.id, Some(&filter), 10, Some(&filter_token))
            .await
            .unwrap()
            .items
            .len(),
        2
    );
}

// ---------------------------------------------------------------- outbox

async fn outbox_newest_first(s: Arc<dyn Store>) {
    use cognate_core::store::outbox::{Channel, OutboxMessage};
    let a = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let b = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let message = |pool: &UserPool, n: i64| OutboxMessage {
        id: 0,
        pool_id: pool.id.clone(),
        channel: if n % 2 == 0 {
            Channel::Email
        } else {
            Channel::Sms
        },
        destination: format!("user{n}@example.com"),
        subject: (n % 2 == 0).then(|| format!("subject {n}")),
        body: format!("Your verification code is {n:06}. "),
        created: Timestamp(NOW.0 + n),
    };
    let mut ids = Vec::new();
    for n in 0..5 {
        let pool = if n < 3 { &a } else { &b };
        ids.push(s.push_message(&message(pool, n)).await.expect("push"));
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase: {ids:?}");

    let all = s.recent_messages(None, 10).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].id, ids[4]);
    assert_eq!(all[0].destination, "user4@example.com");
    assert_eq!(all[0].subject.as_deref(), Some("subject 4"));
    assert_eq!(all[1].channel, Channel::Sms);
    assert_eq!(all[1].subject, None);
    assert_eq!(all[4].body, "Your verification code is 000000. ");
    assert_eq!(all[4].created, NOW);

    let two = s.recent_messages(None, 2).await.unwrap();
    assert_eq!(
        two.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[4], ids[3]]
    );
    let of_a = s.recent_messages(Some(&a.id), 10).await.unwrap();
    assert_eq!(
        of_a.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1], ids[0]]
    );

    let gone = s
        .push_message(&OutboxMessage {
            pool_id: "us-east-1_missing00".into(),
            ..message(&a, 9)
        })
        .await;
    assert_eq!(wire(gone), "ResourceNotFoundException");

    // Housekeeping drops those created before the cut only.
    assert_eq!(
        s.delete_messages_before(Timestamp(NOW.0 + 1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(s.recent_messages(Some(&a.id), 10).await.unwrap().len(), 2);
    assert_eq!(s.delete_messages_before(NOW).await.unwrap(), 0);

    // Messages go with their pool.
    assert!(s.delete_pool(&a.id).await.unwrap());
    assert!(s.recent_messages(Some(&a.id), 10).await.unwrap().is_empty());
    assert_eq!(s.recent_messages(None, 10).await.unwrap().len(), 2);
}

// ---------------------------------------------------------------- refresh tokens

fn refresh_record(
    pool: &UserPool,
    client: &UserPoolClient,
    user: &User,
    tag: u8,
) -> cognate_core::store::refresh_tokens::RefreshTokenRecord {
    cognate_core::store::refresh_tokens::RefreshTokenRecord {
        token_hash: vec![tag; 32],
        pool_id: pool.id.clone(),
        client_id: client.client_id.clone(),
        sub: user.sub,
        origin_jti: format!("origin-{tag}"),
        auth_time: NOW,
        created: NOW,
        expires: Timestamp(NOW.0 + 1_000 * i64::from(tag)),
        revoked: None,
        scopes: vec!["aws.cognito.signin.user.admin".into(), "openid".into()],
    }
}

async fn make_client(s: &Arc<dyn Store>, pool: &UserPool) -> UserPoolClient {
    let client = UserPoolClient::create(
        &pool.id,
        UserPoolClientConfig {
            client_name: "tokens".into(),
            ..Default::default()
        },
        false,
        NOW,
    )
    .expect("valid client");
    s.create_client(&client).await.expect("create client");
    client
}

async fn refresh_tokens_put_get_revoke(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let client = make_client(&s, &pool).await;
    let alice = make_user(&s, &pool, "alice", &[]).await;
    let bob = make_user(&s, &pool, "bob", &[]).await;

    let t1 = refresh_record(&pool, &client, &alice, 1);
    s.put_refresh_token(&t1).await.expect("put");
    assert_eq!(
        s.get_refresh_token(&[1; 32]).await.unwrap(),
        Some(t1.clone())
    );
    assert_eq!(s.get_refresh_token(&[9; 32]).await.unwrap(), None);
    let (user, revoked) = s
        .get_user_and_revocation(&pool.id, alice.sub, "origin-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((user.username.as_str(), revoked), ("alice", false));

    // One sign-in, one origin_jti: a second row with it is refused.
    let mut clash = refresh_record(&pool, &client, &alice, 2);
    clash.origin_jti = t1.origin_jti.clone();
    assert!(s.put_refresh_token(&clash).await.is_err());
    // Rows belong to a stored user.
    let stranger = new_user(&pool, "stranger", &[]);
    assert_eq!(
        wire(
            s.put_refresh_token(&refresh_record(&pool, &client, &stranger, 3))
                .await
        ),
        "UserNotFoundException"
    );

    // Revoking keeps the first time.
    assert!(
        s.revoke_refresh_token("origin-1", Timestamp(NOW.0 + 5))
            .await
            .unwrap()
    );
    assert!(
        s.revoke_refresh_token("origin-1", Timestamp(NOW.0 + 9))
            .await
            .unwrap()
    );
    assert!(!s.revoke_refresh_token("origin-unknown", NOW).await.unwrap());
    // The user read of a token-authorized action sees it, for that
    // sign-in only; an unknown user is no user.
    for (origin, expected) in [("origin-1", true), ("origin-unknown", false)] {
        let (_, revoked) = s
            .get_user_and_revocation(&pool.id, alice.sub, origin)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(revoked, expected, "{origin}");
    }
    assert!(
        s.get_user_and_revocation(&pool.id, Uuid::new_v4(), "origin-1")
            .await
            .unwrap()
            .is_none()
    );
    let got = s.get_refresh_token(&[1; 32]).await.unwrap().unwrap();
    assert_eq!(got.revoked, Some(Timestamp(NOW.0 + 5)));

    // Revoking a user's sign-ins counts only those newly revoked, and
    // leaves other users' alone.
    for tag in [4, 5] {
        s.put_refresh_token(&refresh_record(&pool, &client, &alice, tag))
            .await
            .unwrap();
    }
    s.put_refresh_token(&refresh_record(&pool, &client, &bob, 6))
        .await
        .unwrap();
    assert_eq!(
        s.revoke_user_refresh_tokens(&pool.id, alice.sub, NOW)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        s.revoke_user_refresh_tokens(&pool.id, alice.sub, NOW)
            .await
            .unwrap(),
        0
    );
    let revoked = |sub, origin| {
        let s = s.clone();
        let pool_id = pool.id.clone();
        async move {
            s.get_user_and_revocation(&pool_id, sub, origin)
                .await
                .unwrap()
                .unwrap()
                .1
        }
    };
    assert!(revoked(alice.sub, "origin-4").await);
    assert!(!revoked(bob.sub, "origin-6").await);

    // Housekeeping drops expired rows only.
    assert_eq!(
        s.delete_expired_refresh_tokens(Timestamp(NOW.0 + 4_500))
            .await
            .unwrap(),
        2
    );
    assert_eq!(s.get_refresh_token(&[1; 32]).await.unwrap(), None);
    assert!(s.get_refresh_token(&[5; 32]).await.unwrap().is_some());
}

async fn token_sessions_list_the_live_sign_ins_of_a_user(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let client = make_client(&s, &pool).await;
    let alice = make_user(&s, &pool, "alice", &[]).await;
    let bob = make_user(&s, &pool, "bob", &[]).await;
    for tag in [3, 2, 4] {
        let mut t = refresh_record(&pool, &client, &alice, tag);
        t.created = Timestamp(NOW.0 + i64::from(tag));
        s.put_refresh_token(&t).await.unwrap();
    }
    s.put_refresh_token(&refresh_record(&pool, &client, &bob, 5))
        .await
        .unwrap();
    let listed = s
        .list_token_sessions(&pool.id, alice.sub, NOW)
        .await
        .unwrap();
    let origins: Vec<&str> = listed.iter().map(|t| t.origin_jti.as_str()).collect();
    // Oldest first; never another user's.
    assert_eq!(origins, ["origin-2", "origin-3", "origin-4"]);
    assert_eq!(listed[0].client_id, client.client_id);
    // Before any refresh, the last activity is the sign-in; no caller.
    assert_eq!(listed[0].last_active, listed[0].created);
    assert_eq!(listed[0].seen, SessionSeen::default());
    let seen = |ip: &str, device: &str| SessionSeen {
        ip: Some(ip.into()),
        device_type: Some(device.into()),
    };
    s.touch_refresh_token(
        "origin-2",
        Timestamp(NOW.0 + 5),
        &seen("192.0.2.1", "Chrome"),
    )
    .await
    .unwrap();
    // Each touch overwrites the caller.
    s.touch_refresh_token(
        "origin-2",
        Timestamp(NOW.0 + 900),
        &seen("2001:db8::7", "Firefox on Linux"),
    )
    .await
    .unwrap();
    // Revoked and expired sign-ins are not sessions.
    s.revoke_refresh_token("origin-3", NOW).await.unwrap();
    let later = s
        .list_token_sessions(&pool.id, alice.sub, Timestamp(NOW.0 + 3_000))
        .await
        .unwrap();
    let origins: Vec<(&str, Timestamp)> = later
        .iter()
        .map(|t| (t.origin_jti.as_str(), t.last_active))
        .collect();
    assert_eq!(origins, [("origin-4", Timestamp(NOW.0 + 4))]);
    let now = s
        .list_token_sessions(&pool.id, alice.sub, NOW)
        .await
        .unwrap();
    assert_eq!(now[0].last_active, Timestamp(NOW.0 + 900));
    assert_eq!(now[0].seen, seen("2001:db8::7", "Firefox on Linux"));
    assert_eq!(now[1].seen, SessionSeen::default());
    assert_eq!(now.len(), 2);
}

async fn sso_sessions_are_recorded_listed_touched_and_ended(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let client = make_client(&s, &pool).await;
    let alice = make_user(&s, &pool, "alice", &[]).await;
    let bob = make_user(&s, &pool, "bob", &[]).await;
    let record = |id: &str, sub: Uuid, created: i64| SsoSessionRecord {
        session_id: id.into(),
        pool_id: pool.id.clone(),
        sub,
        client_id: client.client_id.clone(),
        created: Timestamp(NOW.0 + created),
        last_active: Timestamp(NOW.0 + created),
        seen: SessionSeen {
            ip: Some("192.0.2.9".into()),
            device_type: Some("Chrome on Linux".into()),
        },
    };
    for (id, created) in [("sso-b", 20), ("sso-a", 10), ("sso-old", -5_000)] {
        s.put_sso_session(&record(id, alice.sub, created))
            .await
            .unwrap();
    }
    s.put_sso_session(&record("sso-bob", bob.sub, 30))
        .await
        .unwrap();
    // Oldest first, younger than `since`, never another user's.
    let listed = s.list_sso_sessions(&pool.id, alice.sub, NOW).await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|r| r.session_id.as_str()).collect();
    assert_eq!(ids, ["sso-a", "sso-b"]);
    assert_eq!(listed[0], record("sso-a", alice.sub, 10));
    assert!(
        s.sso_session_exists(&pool.id, alice.sub, "sso-a")
            .await
            .unwrap()
    );
    assert!(
        !s.sso_session_exists(&pool.id, bob.sub, "sso-a")
            .await
            .unwrap()
    );
    // A touch moves the last activity; an unknown caller keeps the last one.
    s.touch_sso_session("sso-a", Timestamp(NOW.0 + 500), &SessionSeen::default())
        .await
        .unwrap();
    let touched = &s.list_sso_sessions(&pool.id, alice.sub, NOW).await.unwrap()[0];
    assert_eq!(touched.last_active, Timestamp(NOW.0 + 500));
    assert_eq!(touched.seen, record("sso-a", alice.sub, 10).seen);
    // Ended once; housekeeping takes the old ones.
    assert!(s.delete_sso_session(&pool.id, "sso-a").await.unwrap());
    assert!(!s.delete_sso_session(&pool.id, "sso-a").await.unwrap());
    assert!(
        !s.sso_session_exists(&pool.id, alice.sub, "sso-a")
            .await
            .unwrap()
    );
    assert_eq!(s.delete_old_sso_sessions(NOW).await.unwrap(), 1);
    // The user's sessions go with the user.
    s.delete_user(&pool.id, alice.sub).await.unwrap();
    assert!(
        !s.sso_session_exists(&pool.id, alice.sub, "sso-b")
            .await
            .unwrap()
    );
    // A session for a user who is not there is UserNotFound.
    let ghost = record("sso-ghost", Uuid::new_v4(), 1);
    assert!(matches!(
        s.put_sso_session(&ghost).await,
        Err(CognitoError::UserNotFound(_))
    ));
}

async fn refresh_tokens_rotate_and_remember_retired(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let client = make_client(&s, &pool).await;
    let alice = make_user(&s, &pool, "alice", &[]).await;
    let t1 = refresh_record(&pool, &client, &alice, 1);
    s.put_refresh_token(&t1).await.unwrap();
    // The sign-in's row takes the new hash; the old one is retired.
    let at = Timestamp(NOW.0 + 7);
    assert!(
        s.rotate_refresh_token("origin-1", &[1; 32], &[21; 32], at)
            .await
            .unwrap()
    );
    assert_eq!(s.get_refresh_token(&[1; 32]).await.unwrap(), None);
    let current = s.get_refresh_token(&[21; 32]).await.unwrap().unwrap();
    assert_eq!(current.origin_jti, "origin-1");
    assert_eq!(current.expires, t1.expires);
    let (family, retired) = s
        .get_retired_refresh_token(&[1; 32])
        .await
        .unwrap()
        .unwrap();
    assert_eq!((family.token_hash, retired), (vec![21; 32], at));
    assert_eq!(s.get_retired_refresh_token(&[21; 32]).await.unwrap(), None);
    // A rotation from a hash that is no longer current writes nothing.
    assert!(
        !s.rotate_refresh_token("origin-1", &[1; 32], &[22; 32], at)
            .await
            .unwrap()
    );
    assert_eq!(s.get_refresh_token(&[22; 32]).await.unwrap(), None);
    assert_eq!(s.get_retired_refresh_token(&[22; 32]).await.unwrap(), None);
    // A revoked sign-in does not rotate, and its retired tokens show it.
    s.revoke_refresh_token("origin-1", at).await.unwrap();
    assert!(
        !s.rotate_refresh_token("origin-1", &[21; 32], &[23; 32], at)
            .await
            .unwrap()
    );
    let (family, _) = s
        .get_retired_refresh_token(&[1; 32])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(family.revoked, Some(at));
    // Retired tokens go with their sign-in.
    s.delete_expired_refresh_tokens(Timestamp(NOW.0 + 10_000))
        .await
        .unwrap();
    assert_eq!(s.get_retired_refresh_token(&[1; 32]).await.unwrap(), None);
}

async fn refresh_tokens_go_with_user_client_and_pool(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let client = make_client(&s, &pool).await;
    let other_client = make_client(&s, &pool).await;
    let alice = make_user(&s, &pool, "alice", &[]).await;
    let bob = make_user(&s, &pool, "bob", &[]).await;
    s.put_refresh_token(&refresh_record(&pool, &client, &alice, 1))
        .await
        .unwrap();
    s.put_refresh_token(&refresh_record(&pool, &client, &bob, 2))
        .await
        .unwrap();
    s.put_refresh_token(&refresh_record(&pool, &other_client, &bob, 3))
        .await
        .unwrap();

    assert!(s.delete_user(&pool.id, alice.sub).await.unwrap());
    assert_eq!(s.get_refresh_token(&[1; 32]).await.unwrap(), None);
    assert!(s.delete_client(&pool.id, &client.client_id).await.unwrap());
    assert_eq!(s.get_refresh_token(&[2; 32]).await.unwrap(), None);
    assert!(s.get_refresh_token(&[3; 32]).await.unwrap().is_some());
    assert!(s.delete_pool(&pool.id).await.unwrap());
    assert_eq!(s.get_refresh_token(&[3; 32]).await.unwrap(), None);
}

// ---------------------------------------------------------------- the OAuth face
// Resource servers, domains and hosted-UI customizations (Cognito API:
// CreateResourceServer …, CreateUserPoolDomain …, SetUICustomization).

use cognate_core::model::domain::{CustomDomainConfig, DomainKind, UserPoolDomain};
use cognate_core::model::resource_server::{ResourceServer, ResourceServerScope};
use cognate_core::model::ui_customization::UiCustomization;

fn resource_server(pool: &UserPool, identifier: &str, scopes: &[&str]) -> ResourceServer {
    ResourceServer::new(
        &pool.id,
        identifier,
        "api",
        scopes
            .iter()
            .map(|s| ResourceServerScope {
                scope_name: (*s).into(),
                scope_description: format!("{s} things"),
            })
            .collect(),
    )
    .expect("valid resource server")
}

fn domain(pool: &UserPool, name: &str, kind: DomainKind) -> UserPoolDomain {
    UserPoolDomain {
        domain: name.into(),
        pool_id: pool.id.clone(),
        kind,
        custom_domain_config: (kind == DomainKind::Custom).then(|| CustomDomainConfig {
            certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/one".into(),
            security_policy: None,
        }),
        managed_login_version: 1,
        created: NOW,
        modified: NOW,
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nrest-of-the-image";

fn customization(
    pool: &UserPool,
    client: Option<&UserPoolClient>,
    css: &str,
    image: Option<&[u8]>,
    at: Timestamp,
) -> UiCustomization {
    UiCustomization::new(
        &pool.id,
        client.map(|c| c.client_id.as_str()),
        Some(css.into()),
        image.map(<[u8]>::to_vec),
        at.0.to_string(),
        at,
    )
    .expect("valid customization")
}

async fn resource_servers_crud(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let api = resource_server(&pool, "https://api.example.com", &["read", "write"]);
    s.create_resource_server(&api).await.expect("create");
    assert_eq!(
        s.get_resource_server(&pool.id, "https://api.example.com")
            .await
            .unwrap(),
        Some(api.clone())
    );
    assert_eq!(
        s.get_resource_server(&pool.id, "other").await.unwrap(),
        None
    );
    // An identifier is unique in its pool.
    assert_eq!(
        wire(s.create_resource_server(&api).await),
        "InvalidParameterException"
    );
    // ... but not across pools.
    let other_pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    s.create_resource_server(&resource_server(
        &other_pool,
        "https://api.example.com",
        &[],
    ))
    .await
    .expect("same identifier in another pool");

    // Update replaces the scope list.
    let updated = resource_server(&pool, "https://api.example.com", &["admin"]);
    s.update_resource_server(&updated).await.expect("update");
    assert_eq!(
        s.get_resource_server(&pool.id, "https://api.example.com")
            .await
            .unwrap()
            .unwrap()
            .scopes,
        updated.scopes
    );
    assert_eq!(
        wire(
            s.update_resource_server(&resource_server(&pool, "missing", &[]))
                .await
        ),
        "ResourceNotFoundException"
    );

    // Listing in identifier order, page by page.
    for id in ["b-api", "a-api"] {
        s.create_resource_server(&resource_server(&pool, id, &["x"]))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = s
            .list_resource_servers(&pool.id, 2, token.as_deref())
            .await
            .unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|r| r.identifier));
        match page.next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(seen, ["a-api", "b-api", "https://api.example.com"]);
    assert_eq!(
        wire(s.list_resource_servers(&pool.id, 2, Some("garbage")).await),
        "InvalidParameterException"
    );

    assert!(s.delete_resource_server(&pool.id, "a-api").await.unwrap());
    assert!(!s.delete_resource_server(&pool.id, "a-api").await.unwrap());
    let mut gone = new_pool(true, vec![], vec![]);
    gone.id = "us-east-1_gone".into();
    assert_eq!(
        wire(
            s.create_resource_server(&resource_server(&gone, "x", &[]))
                .await
        ),
        "ResourceNotFoundException"
    );
}

async fn resource_servers_quota(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    for i in 0..25 {
        s.create_resource_server(&resource_server(&pool, &format!("api-{i:02}"), &["x"]))
            .await
            .expect("within the quota");
    }
    assert_eq!(
        wire(
            s.create_resource_server(&resource_server(&pool, "api-25", &["x"]))
                .await
        ),
        "LimitExceededException"
    );
    // Deleting one makes room again.
    assert!(s.delete_resource_server(&pool.id, "api-00").await.unwrap());
    s.create_resource_server(&resource_server(&pool, "api-25", &["x"]))
        .await
        .expect("room again");
}

async fn domains_unique_and_one_of_each_kind(s: Arc<dyn Store>) {
    let a = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let b = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let shop = domain(&a, "shop", DomainKind::Prefix);
    s.create_domain(&shop).await.expect("create prefix domain");
    assert_eq!(s.get_domain("shop").await.unwrap(), Some(shop.clone()));
    assert_eq!(s.get_domain("nope").await.unwrap(), None);

    // A domain belongs to one pool, across pools.
    let e = s
        .create_domain(&domain(&b, "shop", DomainKind::Prefix))
        .await
        .unwrap_err();
    assert_eq!(e.wire_name(), "InvalidParameterException");
    assert!(e.message().contains("another user pool"), "{e}");
    // A pool has one prefix domain...
    let e = s
        .create_domain(&domain(&a, "shop-two", DomainKind::Prefix))
        .await
        .unwrap_err();
    assert_eq!(e.wire_name(), "InvalidParameterException");
    assert!(e.message().contains("already has a domain"), "{e}");
    // ... and one custom domain beside it.
    let custom = domain(&a, "auth.shop.example", DomainKind::Custom);
    s.create_domain(&custom)
        .await
        .expect("create custom domain");
    assert_eq!(
        wire(
            s.create_domain(&domain(&a, "login.shop.example", DomainKind::Custom))
                .await
        ),
        "InvalidParameterException"
    );
    let mut mine = s.pool_domains(&a.id).await.unwrap();
    mine.sort_by(|x, y| x.domain.cmp(&y.domain));
    assert_eq!(mine, vec![custom.clone(), shop.clone()]);
    assert!(s.pool_domains(&b.id).await.unwrap().is_empty());

    // Update changes the certificate and version, never the name.
    let mut renewed = custom.clone();
    renewed.custom_domain_config = Some(CustomDomainConfig {
        certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/two".into(),
        security_policy: Some("TLS_V1_2_2021".into()),
    });
    renewed.managed_login_version = 2;
    renewed.modified = Timestamp(NOW.0 + 1);
    s.update_domain(&renewed).await.expect("update");
    assert_eq!(
        s.get_domain("auth.shop.example").await.unwrap(),
        Some(renewed)
    );
    let mut foreign = shop.clone();
    foreign.pool_id = b.id.clone();
    assert_eq!(
        wire(s.update_domain(&foreign).await),
        "InvalidParameterException"
    );

    // Only the owning pool deletes it; then the name is free again.
    assert!(!s.delete_domain(&b.id, "shop").await.unwrap());
    assert!(s.delete_domain(&a.id, "shop").await.unwrap());
    assert!(!s.delete_domain(&a.id, "shop").await.unwrap());
    s.create_domain(&domain(&b, "shop", DomainKind::Prefix))
        .await
        .expect("free again");

    let mut gone = new_pool(true, vec![], vec![]);
    gone.id = "us-east-1_gone".into();
    assert_eq!(
        wire(
            s.create_domain(&domain(&gone, "ghost", DomainKind::Prefix))
                .await
        ),
        "ResourceNotFoundException"
    );
}

async fn ui_customizations_put_and_get(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let client = make_client(&s, &pool).await;
    assert_eq!(s.get_ui_customization(&pool.id, None).await.unwrap(), None);

    let first = customization(&pool, None, ".a { color: red }", Some(PNG), NOW);
    assert_eq!(s.put_ui_customization(&first).await.unwrap(), first);
    assert_eq!(
        s.get_ui_customization(&pool.id, None).await.unwrap(),
        Some(first.clone())
    );
    let image = first.image.clone().unwrap();
    assert_eq!(image.bytes, PNG);

    // Setting again replaces CSS and image and keeps the creation date.
    let later = Timestamp(NOW.0 + 60_000);
    let second = customization(&pool, None, ".b { color: blue }", None, later);
    let stored = s.put_ui_customization(&second).await.unwrap();
    assert_eq!(stored.created, NOW);
    assert_eq!(stored.modified, later);
    assert_eq!(stored.image, None);
    assert_eq!(stored.css.as_deref(), Some(".b { color: blue }"));
    assert_eq!(stored.css_version, later.0.to_string());

    // A client's own row; the store does not fall back (the service does).
    assert_eq!(
        s.get_ui_customization(&pool.id, Some(&client.client_id))
            .await
            .unwrap(),
        None
    );
    let own = customization(&pool, Some(&client), ".c {}", Some(PNG), later);
    s.put_ui_customization(&own).await.unwrap();
    assert_eq!(
        s.get_ui_customization(&pool.id, Some(&client.client_id))
            .await
            .unwrap(),
        Some(own)
    );
    assert_eq!(
        s.get_ui_customization(&pool.id, None)
            .await
            .unwrap()
            .unwrap()
            .css
            .as_deref(),
        Some(".b { color: blue }")
    );

    // Rows belong to a stored client and pool.
    let mut stranger = client.clone();
    stranger.client_id = "unknownclientid0000000000a".into();
    assert_eq!(
        wire(
            s.put_ui_customization(&customization(&pool, Some(&stranger), "", None, NOW))
                .await
        ),
        "ResourceNotFoundException"
    );
    let mut gone = new_pool(true, vec![], vec![]);
    gone.id = "us-east-1_gone".into();
    assert_eq!(
        wire(
            s.put_ui_customization(&customization(&gone, None, "", None, NOW))
                .await
        ),
        "ResourceNotFoundException"
    );
}

async fn oauth_resources_go_with_client_and_pool(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let keep = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let client = make_client(&s, &pool).await;
    s.create_resource_server(&resource_server(&pool, "api", &["read"]))
        .await
        .unwrap();
    s.create_domain(&domain(&pool, "doomed", DomainKind::Prefix))
        .await
        .unwrap();
    s.create_domain(&domain(&pool, "auth.doomed.example", DomainKind::Custom))
        .await
        .unwrap();
    s.put_ui_customization(&customization(&pool, None, ".all {}", Some(PNG), NOW))
        .await
        .unwrap();
    s.put_ui_customization(&customization(&pool, Some(&client), ".one {}", None, NOW))
        .await
        .unwrap();
    s.create_resource_server(&resource_server(&keep, "api", &["read"]))
        .await
        .unwrap();

    // Deleting a client removes its customization, not the pool's.
    assert!(s.delete_client(&pool.id, &client.client_id).await.unwrap());
    assert_eq!(
        s.get_ui_customization(&pool.id, Some(&client.client_id))
            .await
            .unwrap(),
        None
    );
    assert!(
        s.get_ui_customization(&pool.id, None)
            .await
            .unwrap()
            .is_some()
    );

    // Deleting the pool removes its resource servers, domains and
    // customizations; the domain names are free for another pool.
    assert!(s.delete_pool(&pool.id).await.unwrap());
    assert_eq!(s.get_resource_server(&pool.id, "api").await.unwrap(), None);
    assert!(
        s.list_resource_servers(&pool.id, 10, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(s.get_domain("doomed").await.unwrap(), None);
    assert_eq!(s.get_domain("auth.doomed.example").await.unwrap(), None);
    assert!(s.pool_domains(&pool.id).await.unwrap().is_empty());
    assert_eq!(s.get_ui_customization(&pool.id, None).await.unwrap(), None);
    s.create_domain(&domain(&keep, "doomed", DomainKind::Prefix))
        .await
        .expect("name free again");
    // Another pool's rows stay.
    assert!(
        s.get_resource_server(&keep.id, "api")
            .await
            .unwrap()
            .is_some()
    );
}

// ------------------------------------------------- authorization codes, sessions

fn code_record(pool: &UserPool, client: &UserPoolClient, user: &User, n: u8) -> AuthCodeRecord {
    AuthCodeRecord {
        code_hash: vec![n; 32],
        pool_id: pool.id.clone(),
        client_id: client.client_id.clone(),
        sub: user.sub,
        expires: Timestamp(NOW.0 + 300_000),
        used: None,
        grant: CodeGrant {
            redirect_uri: "https://app.example/cb".into(),
            scopes: vec!["openid".into(), "email".into()],
            code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
            nonce: Some("n-1".into()),
            auth_time: NOW,
            origin_jti: format!("code-origin-{n}"),
            session_epoch: 0,
        },
    }
}

/// RFC 6749 §4.1.2: a code is redeemed once; the second try sees the
/// first's time; concurrent redemptions have exactly one winner.
async fn auth_codes_redeem_once(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let client = make_client(&s, &pool).await;
    let alice = make_user(&s, &pool, "alice", &[]).await;
    let code = code_record(&pool, &client, &alice, 1);
    s.put_auth_code(&code).await.expect("put");
    let first = s
        .redeem_auth_code(&[1; 32], Timestamp(NOW.0 + 10))
        .await
        .unwrap();
    let mut spent = code.clone();
    spent.used = Some(Timestamp(NOW.0 + 10));
    assert_eq!(first, Redemption::Redeemed(spent.clone()));
    assert_eq!(
        s.redeem_auth_code(&[1; 32], Timestamp(NOW.0 + 20))
            .await
            .unwrap(),
        Redemption::Replayed(spent)
    );
    assert_eq!(
        s.redeem_auth_code(&[9; 32], NOW).await.unwrap(),
        Redemption::Unknown
    );
    // Many at once: one winner.
    s.put_auth_code(&code_record(&pool, &client, &alice, 2))
        .await
        .unwrap();
    let tries = (0..8).map(|_| {
        let s = s.clone();
        tokio::spawn(async move { s.redeem_auth_code(&[2; 32], NOW).await.unwrap() })
    });
    let results = futures::future::join_all(tries).await;
    let winners = results
        .iter()
        .filter(|r| matches!(r.as_ref().unwrap(), Redemption::Redeemed(_)))
        .count();
    assert_eq!(winners, 1);
    // Codes belong to a stored user, and expire away.
    let stranger = new_user(&pool, "stranger", &[]);
    assert_eq!(
        wire(
            s.put_auth_code(&code_record(&pool, &client, &stranger, 3))
                .await
        ),
        "UserNotFoundException"
    );
    assert_eq!(
        s.delete_expired_auth_codes(Timestamp(NOW.0 + 300_001))
            .await
            .unwrap(),
        2
    );
}

async fn web_sessions_create_load_expire(s: Arc<dyn Store>) {
    let later = Timestamp(NOW.0 + 3_600_000);
    assert!(
        s.create_web_session("sid-1", later, b"sealed-1")
            .await
            .unwrap()
    );
    // An id is never handed out twice.
    assert!(
        !s.create_web_session("sid-1", later, b"other")
            .await
            .unwrap()
    );
    assert_eq!(
        s.load_web_session("sid-1", NOW).await.unwrap().as_deref(),
        Some(&b"sealed-1"[..])
    );
    s.save_web_session("sid-1", later, b"sealed-2")
        .await
        .unwrap();
    assert_eq!(
        s.load_web_session("sid-1", NOW).await.unwrap().as_deref(),
        Some(&b"sealed-2"[..])
    );
    // Expired sessions do not load, and are purged.
    assert_eq!(s.load_web_session("sid-1", later).await.unwrap(), None);
    s.save_web_session("sid-2", later, b"x").await.unwrap();
    s.delete_web_session("sid-2").await.unwrap();
    assert_eq!(s.load_web_session("sid-2", NOW).await.unwrap(), None);
    assert_eq!(
        s.delete_expired_web_sessions(Timestamp(later.0 + 1))
            .await
            .unwrap(),
        1
    );
}

// ---------------------------------------------------------------- identity pools

fn identity_pool(id: &str, name: &str) -> IdentityPool {
    IdentityPool {
        id: id.into(),
        config: IdentityPoolConfig {
            identity_pool_name: name.into(),
            allow_unauthenticated_identities: true,
            allow_classic_flow: None,
            supported_login_providers: Default::default(),
            developer_provider_name: Some("dev".into()),
            open_id_connect_provider_arns: vec![],
            cognito_identity_providers: vec![],
            saml_provider_arns: vec![],
            identity_pool_tags: Default::default(),
        },
        roles: Default::default(),
        role_mappings: Default::default(),
        principal_tags: Default::default(),
        created: NOW,
        modified: NOW,
    }
}

fn login(provider: &str, subject: &str) -> IdentityLogin {
    IdentityLogin {
        provider: provider.into(),
        subject: subject.into(),
    }
}

fn identity(id: &str, pool: &str, logins: Vec<IdentityLogin>) -> Identity {
    Identity {
        id: id.into(),
        pool_id: pool.into(),
        logins,
        created: NOW,
        modified: NOW,
        disabled: false,
    }
}

async fn identity_pools_crud_and_pages(s: Arc<dyn Store>) {
    let a = identity_pool("us-east-1:0000000a-0000-0000-0000-000000000000", "a");
    let b = identity_pool("us-east-1:0000000b-0000-0000-0000-000000000000", "b");
    s.create_identity_pool(&a).await.unwrap();
    s.create_identity_pool(&b).await.unwrap();
    assert_eq!(s.get_identity_pool(&a.id).await.unwrap(), Some(a.clone()));
    let mut changed = a.clone();
    changed
        .roles
        .insert("authenticated".into(), "arn:aws:iam::1:role/r".into());
    s.update_identity_pool(&changed).await.unwrap();
    assert_eq!(s.get_identity_pool(&a.id).await.unwrap(), Some(changed));
    let page = s.list_identity_pools(1, None).await.unwrap();
    assert_eq!(page.items[0].id, a.id);
    let rest = s
        .list_identity_pools(1, page.next.as_deref())
        .await
        .unwrap();
    assert_eq!(rest.items[0].id, b.id);
    assert!(rest.next.is_none());
    assert!(s.delete_identity_pool(&b.id).await.unwrap());
    assert!(!s.delete_identity_pool(&b.id).await.unwrap());
    let err = s.update_identity_pool(&b).await.unwrap_err();
    assert!(matches!(err, CognitoError::ResourceNotFound(_)));
}

async fn identities_one_per_login_merge_and_cascade(s: Arc<dyn Store>) {
    let pool = identity_pool("us-east-1:0000000c-0000-0000-0000-000000000000", "c");
    s.create_identity_pool(&pool).await.unwrap();
    let one = identity(
        "us-east-1:00000001-0000-0000-0000-000000000000",
        &pool.id,
        vec![login("p", "alice")],
    );
    assert_eq!(s.create_identity(&one).await.unwrap(), one);
    // A second identity for the same login is not made: the first answers.
    let two = identity(
        "us-east-1:00000002-0000-0000-0000-000000000000",
        &pool.id,
        vec![login("p", "alice")],
    );
    assert_eq!(s.create_identity(&two).await.unwrap().id, one.id);
    assert_eq!(s.get_identity(&two.id).await.unwrap(), None);
    assert_eq!(
        s.identity_of_login(&pool.id, "p", "alice")
            .await
            .unwrap()
            .as_deref(),
        Some(one.id.as_str())
    );
    // Concurrent creations of one login make one identity.
    let racers = (3..8).map(|n| {
        let s = s.clone();
        let i = identity(
            &format!("us-east-1:0000000{n}-0000-0000-0000-000000000000"),
            &pool.id,
            vec![login("p", "bob")],
        );
        tokio::spawn(async move { s.create_identity(&i).await.unwrap().id })
    });
    let ids: BTreeSet<String> = futures::future::join_all(racers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids.len(), 1);
    let bob = ids.into_iter().next().unwrap();
    // Linking a login another identity holds is a conflict.
    let err = s
        .link_logins(&one.id, &[login("p", "bob")])
        .await
        .unwrap_err();
    assert!(matches!(err, CognitoError::ResourceConflict(_)));
    let linked = s
        .link_logins(&one.id, &[login("q", "alice2")])
        .await
        .unwrap();
    assert_eq!(linked.logins.len(), 2);
    // Merge: bob's logins move to one; bob is gone.
    let merged = s.merge_identities(&bob, &one.id).await.unwrap();
    assert_eq!(merged.logins.len(), 3);
    assert_eq!(s.get_identity(&bob).await.unwrap(), None);
    assert_eq!(
        s.identity_of_login(&pool.id, "p", "bob")
            .await
            .unwrap()
            .as_deref(),
        Some(one.id.as_str())
    );
    let unlinked = s
        .unlink_logins(&one.id, &[login("p", "bob")])
        .await
        .unwrap();
    assert_eq!(unlinked.logins.len(), 2);
    assert!(!unlinked.disabled);
    assert_eq!(
        s.identity_of_login(&pool.id, "p", "bob").await.unwrap(),
        None
    );
    let page = s.list_identities(&pool.id, 10, None).await.unwrap();
    assert_eq!(page.items.len(), 1);
    // Unlinking the last logins disables the identity, for good.
    let all = unlinked.logins.clone();
    let emptied = s.unlink_logins(&one.id, &all).await.unwrap();
    assert!(emptied.logins.is_empty() && emptied.disabled);
    assert!(s.get_identity(&one.id).await.unwrap().unwrap().disabled);
    assert!(s.list_identities(&pool.id, 10, None).await.unwrap().items[0].disabled);
    // Deleting the pool takes its identities and logins.
    assert!(s.delete_identity_pool(&pool.id).await.unwrap());
    assert_eq!(s.get_identity(&one.id).await.unwrap(), None);
    assert_eq!(
        s.identity_of_login(&pool.id, "p", "alice").await.unwrap(),
        None
    );
}

async fn issuer_keys_and_sts_credentials(s: Arc<dyn Store>) {
    let key = |kid: &str, at: i64| SigningKey {
        pool_id: "cognito-identity".into(),
        kid: kid.into(),
        sealed_private_key: vec![1, 2, 3],
        public_jwk: "{}".into(),
        created: Timestamp(at),
        retired: None,
    };
    s.put_issuer_key(&key("old", 1)).await.unwrap();
    s.put_issuer_key(&key("new", 2)).await.unwrap();
    let kids: Vec<String> = s
        .issuer_keys("cognito-identity")
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.kid)
        .collect();
    assert_eq!(kids, ["new", "old"]);
    let c = StsCredential {
        access_key_id: "ASIAEXAMPLE".into(),
        sealed_secret: vec![9; 40],
        session_token_mac: vec![7; 32],
        doc: "{}".into(),
        expires: Timestamp(NOW.0 + 1000),
    };
    s.put_sts_credential(&c).await.unwrap();
    assert_eq!(s.get_sts_credential("ASIAEXAMPLE").await.unwrap(), Some(c));
    assert_eq!(s.purge_sts_credentials(NOW).await.unwrap(), 0);
    assert_eq!(
        s.purge_sts_credentials(Timestamp(NOW.0 + 2000))
            .await
            .unwrap(),
        1
    );
    assert_eq!(s.get_sts_credential("ASIAEXAMPLE").await.unwrap(), None);
}

// ---------------------------------------------------------------- federation

use cognate_core::model::identity_provider::{IdentityProvider, ProviderType};
use cognate_core::store::ProviderLink;

fn identity_provider(pool: &UserPool, name: &str, identifiers: &[&str]) -> IdentityProvider {
    IdentityProvider {
        user_pool_id: pool.id.clone(),
        provider_name: name.into(),
        provider_type: ProviderType::Oidc,
        provider_details: [
            ("client_id", "c1"),
            ("oidc_issuer", "https://idp.example.com"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into(),
        attribute_mapping: [("email".to_owned(), "email".to_owned())].into(),
        idp_identifiers: identifiers.iter().map(|s| (*s).to_owned()).collect(),
        last_modified_date: NOW,
        creation_date: NOW,
    }
}

async fn identity_providers_crud(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let okta = identity_provider(&pool, "Okta", &["example.com", "okta"]);
    s.create_identity_provider(&okta).await.expect("create");
    assert_eq!(
        s.get_identity_provider(&pool.id, "Okta").await.unwrap(),
        Some(okta.clone())
    );
    assert_eq!(
        s.get_identity_provider(&pool.id, "okta").await.unwrap(),
        None
    );
    // A name is unique in its pool: DuplicateProviderException.
    assert_eq!(
        wire(s.create_identity_provider(&okta).await),
        "DuplicateProviderException"
    );
    // An identifier names one provider of its pool; the failed create
    // leaves nothing behind.
    let clash = identity_provider(&pool, "Other", &["fresh", "okta"]);
    assert_eq!(
        wire(s.create_identity_provider(&clash).await),
        "InvalidParameterException"
    );
    assert_eq!(
        s.get_identity_provider(&pool.id, "Other").await.unwrap(),
        None
    );
    assert_eq!(
        s.find_identity_provider_by_identifier(&pool.id, "fresh")
            .await
            .unwrap(),
        None
    );
    // ... but not across pools.
    let other_pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    s.create_identity_provider(&identity_provider(&other_pool, "Okta", &["okta"]))
        .await
        .expect("same name and identifier in another pool");
    assert_eq!(
        s.find_identity_provider_by_identifier(&pool.id, "example.com")
            .await
            .unwrap()
            .map(|p| p.provider_name),
        Some("Okta".into())
    );

    // Update replaces the document and the identifiers.
    let mut updated = okta.clone();
    updated.idp_identifiers = vec!["new-id".into()];
    updated.attribute_mapping.clear();
    s.update_identity_provider(&updated).await.expect("update");
    assert_eq!(
        s.get_identity_provider(&pool.id, "Okta").await.unwrap(),
        Some(updated.clone())
    );
    assert_eq!(
        s.find_identity_provider_by_identifier(&pool.id, "okta")
            .await
            .unwrap(),
        None
    );
    assert!(
        s.find_identity_provider_by_identifier(&pool.id, "new-id")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        wire(
            s.update_identity_provider(&identity_provider(&pool, "Missing", &[]))
                .await
        ),
        "ResourceNotFoundException"
    );
    // An update that takes another's identifier changes nothing.
    s.create_identity_provider(&identity_provider(&pool, "Second", &["second"]))
        .await
        .unwrap();
    let mut grab = updated.clone();
    grab.idp_identifiers = vec!["second".into()];
    grab.attribute_mapping.insert("name".into(), "name".into());
    assert_eq!(
        wire(s.update_identity_provider(&grab).await),
        "InvalidParameterException"
    );
    assert_eq!(
        s.get_identity_provider(&pool.id, "Okta").await.unwrap(),
        Some(updated)
    );

    // Listing in name order, page by page.
    s.create_identity_provider(&identity_provider(&pool, "Azure", &[]))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = s
            .list_identity_providers(&pool.id, 2, token.as_deref())
            .await
            .unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.into_iter().map(|p| p.provider_name));
        match page.next {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(seen, ["Azure", "Okta", "Second"]);
    assert_eq!(
        wire(
            s.list_identity_providers(&pool.id, 2, Some("garbage"))
                .await
        ),
        "InvalidParameterException"
    );

    // Deleting a provider frees its identifiers.
    assert!(s.delete_identity_provider(&pool.id, "Okta").await.unwrap());
    assert!(!s.delete_identity_provider(&pool.id, "Okta").await.unwrap());
    s.create_identity_provider(&identity_provider(&pool, "Again", &["new-id"]))
        .await
        .expect("identifier free again");
    let mut gone = new_pool(true, vec![], vec![]);
    gone.id = "us-east-1_gone".into();
    assert_eq!(
        wire(
            s.create_identity_provider(&identity_provider(&gone, "Okta", &[]))
                .await
        ),
        "ResourceNotFoundException"
    );
    // Providers go with their pool.
    s.delete_pool(&pool.id).await.unwrap();
    assert_eq!(
        s.get_identity_provider(&pool.id, "Azure").await.unwrap(),
        None
    );
}

async fn identity_providers_quota(s: Arc<dyn Store>) {
    use cognate_core::model::identity_provider::MAX_IDENTITY_PROVIDERS_PER_POOL;
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    for i in 0..MAX_IDENTITY_PROVIDERS_PER_POOL {
        s.create_identity_provider(&identity_provider(&pool, &format!("idp-{i:03}"), &[]))
            .await
            .expect("within the quota");
    }
    assert_eq!(
        wire(
            s.create_identity_provider(&identity_provider(&pool, "one-more", &[]))
                .await
        ),
        "LimitExceededException"
    );
}

fn link(pool: &UserPool, provider: &str, value: &str, sub: Uuid, at: i64) -> ProviderLink {
    ProviderLink {
        pool_id: pool.id.clone(),
        provider_name: provider.into(),
        attribute_name: "Cognito_Subject".into(),
        attribute_value: value.into(),
        sub,
        created: Timestamp(NOW.0 + at),
    }
}

async fn provider_links_find_limit_unlink(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let alice = make_user(&s, &pool, "alice", &[]).await;
    let bob = make_user(&s, &pool, "bob", &[]).await;
    s.link_provider(&link(&pool, "Okta", "u-1", alice.sub, 0), 5)
        .await
        .expect("link");
    assert_eq!(
        s.find_provider_link(&pool.id, "Okta", "Cognito_Subject", "u-1")
            .await
            .unwrap(),
        Some(alice.sub)
    );
    assert_eq!(
        s.find_provider_link(&pool.id, "Okta", "email", "u-1")
            .await
            .unwrap(),
        None
    );
    // An identity links to one user only.
    assert_eq!(
        wire(
            s.link_provider(&link(&pool, "Okta", "u-1", bob.sub, 1), 5)
                .await
        ),
        "InvalidParameterException"
    );
    // A user that does not exist.
    assert_eq!(
        wire(
            s.link_provider(&link(&pool, "Okta", "u-9", Uuid::new_v4(), 1), 5)
                .await
        ),
        "UserNotFoundException"
    );
    // At most `max` links per user.
    s.link_provider(&link(&pool, "Google", "g-1", alice.sub, 1), 2)
        .await
        .unwrap();
    assert_eq!(
        wire(
            s.link_provider(&link(&pool, "Google", "g-2", alice.sub, 2), 2)
                .await
        ),
        "LimitExceededException"
    );
    let links = s.links_of_user(&pool.id, alice.sub).await.unwrap();
    assert_eq!(
        links,
        vec![
            link(&pool, "Okta", "u-1", alice.sub, 0),
            link(&pool, "Google", "g-1", alice.sub, 1)
        ]
    );
    // Unlinking answers the users it touched.
    assert_eq!(
        s.unlink_provider(&pool.id, "Okta", None, "u-1")
            .await
            .unwrap(),
        vec![alice.sub]
    );
    assert_eq!(
        s.unlink_provider(&pool.id, "Okta", None, "u-1")
            .await
            .unwrap(),
        Vec::<Uuid>::new()
    );
    assert_eq!(
        s.unlink_provider(&pool.id, "Google", Some("email"), "g-1")
            .await
            .unwrap(),
        Vec::<Uuid>::new()
    );
    // Links go with their user.
    s.delete_user(&pool.id, alice.sub).await.unwrap();
    assert_eq!(
        s.find_provider_link(&pool.id, "Google", "Cognito_Subject", "g-1")
            .await
            .unwrap(),
        None
    );
}

// ---------------------------------------------------------------- devices

use cognate_core::model::device::{Device, DeviceStatus};

fn device(pool: &UserPool, user: &User, n: u8) -> Device {
    Device {
        device_key: format!("us-east-1_{:08x}-0000-4000-8000-000000000000", n),
        pool_id: pool.id.clone(),
        sub: user.sub,
        group_key: format!("-group{n}"),
        name: None,
        status: None,
        sealed_verifier: None,
        created: NOW,
        modified: NOW,
        last_authenticated: NOW,
    }
}

async fn devices_crud_pages_and_cascade(s: Arc<dyn Store>) {
    let pool = make_pool(&s, new_pool(true, vec![], vec![])).await;
    let alice = make_user(&s, &pool, "alice", &[]).await;
    let bob = make_user(&s, &pool, "bob", &[]).await;
    for n in 1..=3 {
        s.put_device(&device(&pool, &alice, n)).await.unwrap();
    }
    s.put_device(&device(&pool, &bob, 9)).await.unwrap();
    // A device of a user who is not there.
    let mut ghost = device(&pool, &alice, 7);
    ghost.sub = Uuid::new_v4();
    assert_eq!(wire(s.put_device(&ghost).await), "UserNotFoundException");

    let mut d = device(&pool, &alice, 2);
    assert_eq!(s.get_device(&d.device_key).await.unwrap(), Some(d.clone()));
    d.name = Some("phone".into());
    d.status = Some(DeviceStatus::Remembered);
    d.sealed_verifier = Some("sealed".into());
    assert!(s.update_device(&d).await.unwrap());
    assert_eq!(s.get_device(&d.device_key).await.unwrap(), Some(d.clone()));
    // Another user's update or delete of it changes nothing.
    let mut stolen = d.clone();
    stolen.sub = bob.sub;
    stolen.name = Some("stolen".into());
    assert!(!s.update_device(&stolen).await.unwrap());
    assert!(
        !s.delete_device(&pool.id, bob.sub, &d.device_key)
            .await
            .unwrap()
    );
    assert_eq!(s.get_device(&d.device_key).await.unwrap(), Some(d.clone()));

    // Pages of two, in key order, only the user's own.
    let first = s.list_devices(&pool.id, alice.sub, 2, None).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let next = first.next.clone().expect("a second page");
    let second = s
        .list_devices(&pool.id, alice.sub, 2, Some(&next))
        .await
        .unwrap();
    assert_eq!(second.items.len(), 1);
    assert_eq!(second.next, None);
    let keys: Vec<_> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|d| d.device_key.clone())
        .collect();
    assert_eq!(
        keys,
        (1..=3)
            .map(|n| device(&pool, &alice, n).device_key)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        wire(
            s.list_devices(&pool.id, alice.sub, 2, Some("garbage"))
                .await
        ),
        "InvalidParameterException"
    );

    assert!(
        s.delete_device(&pool.id, alice.sub, &d.device_key)
            .await
            .unwrap()
    );
    assert_eq!(s.get_device(&d.device_key).await.unwrap(), None);
    assert!(
        !s.delete_device(&pool.id, alice.sub, &d.device_key)
            .await
            .unwrap()
    );
    // Devices go with their user, and with the pool.
    s.delete_user(&pool.id, alice.sub).await.unwrap();
    assert_eq!(
        s.get_device(&device(&pool, &alice, 1).device_key)
            .await
            .unwrap(),
        None
    );
    s.delete_pool(&pool.id).await.unwrap();
    assert_eq!(
        s.get_device(&device(&pool, &bob, 9).device_key)
            .await
            .unwrap(),
        None
    );
}

// ---------------------------------------------------------------- instantiation

cognate_core::on_both_backends! {
    Harness::open, |h| h.store.clone();
    pools_crud,
    clients_crud,
    users_crud,
    groups_and_memberships,
    signing_keys_newest_first,
    saml_certificate_first_one_stays,
    saml_assertions_used_once,
    delete_pool_cascades,
    username_unique_case_insensitive,
    username_unique_case_sensitive,
    email_and_phone_as_username_unique,
    verified_alias_unique,
    update_user_clash_leaves_user_unchanged,
    concurrent_same_username,
    concurrent_same_email,
    pagination_stable_under_inserts,
    filters_exact_and_prefix,
    index_follows_updates,
    bad_tokens_are_invalid_parameter,
    outbox_newest_first,
    refresh_tokens_put_get_revoke,
    refresh_tokens_rotate_and_remember_retired,
    token_sessions_list_the_live_sign_ins_of_a_user,
    sso_sessions_are_recorded_listed_touched_and_ended,
    refresh_tokens_go_with_user_client_and_pool,
    resource_servers_crud,
    resource_servers_quota,
    domains_unique_and_one_of_each_kind,
    ui_customizations_put_and_get,
    oauth_resources_go_with_client_and_pool,
    auth_codes_redeem_once,
    web_sessions_create_load_expire,
    identity_pools_crud_and_pages,
    identities_one_per_login_merge_and_cascade,
    issuer_keys_and_sts_credentials,
    identity_providers_crud,
    identity_providers_quota,
    provider_links_find_limit_unlink,
    devices_crud_pages_and_cascade,
}
