//! The CPU cost of Cognate's crypto per sign-in, against the ceilings in
//! STACK-NOTES.md. Results: docs/benchmarks/crypto.md.
//! Run: `cargo bench -p cognate-core --bench crypto`; with
//! `COGNATE_BENCH_CPU_TIME=1` it measures the benchmark thread's CPU time
//! instead of wall time, which stays honest on a machine that others are
//! using (the figures in crypto.md were taken that way).

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cognate_core::Timestamp;
use cognate_core::credential::PasswordCredential;
use cognate_core::crypto::MasterKey;
use cognate_core::model::pool::PasswordStorage;
use cognate_core::srp::client::SrpClient;
use cognate_core::srp::{ServerChallenge, SrpVerifier};
use cognate_core::tokens::{PoolKeys, TokenUse, new_signing_key, signing_key_record_id};
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput};
use serde_json::{Map, Value, json};

const POOL_ID: &str = "us-east-1_AbC123xyz";
const POOL: &str = "AbC123xyz";
const ISS: &str = "http://localhost:9229/us-east-1_AbC123xyz";
const USER: &str = "7d3a1f9e-52c4-4b8e-a6d0-1e2f3a4b5c6d";
const PASSWORD: &str = "Corr3ct-horse!";
const NOW: Timestamp = Timestamp(1_800_000_000_000);

fn access_claims() -> Map<String, Value> {
    json!({
        "sub": USER,
        "iss": ISS,
        "client_id": "1example23456789",
        "origin_jti": "a1b2c3d4-0000-4000-8000-000000000001",
        "event_id": "a1b2c3d4-0000-4000-8000-000000000002",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": NOW.seconds(),
        "exp": NOW.seconds() + 3600,
        "iat": NOW.seconds(),
        "jti": "a1b2c3d4-0000-4000-8000-000000000003",
        "username": "alice",
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

fn tokens<M: Measurement>(c: &mut Criterion<M>) {
    let master = MasterKey::generate();
    let (record, _) = new_signing_key(&master, POOL_ID, NOW).expect("key generation");
    let keys = PoolKeys::open(&master, std::slice::from_ref(&record))
        .expect("keys open")
        .expect("an active key");
    let claims = access_claims();
    let token = keys.active.sign(&claims).expect("sign");
    let verifier = keys.verifier(ISS).expect("verifier");

    let mut g = c.benchmark_group("tokens");
    g.bench_function("rs256_sign", |b| {
        b.iter(|| keys.active.sign(black_box(&claims)))
    });

    // For comparison: jsonwebtoken::encode, which re-parses the DER key on
    // every call (why Signer holds a parsed aws-lc-rs key instead).
    let pkcs8 = master
        .open(
            &signing_key_record_id(POOL_ID, &record.kid),
            &record.sealed_private_key,
        )
        .expect("key opens");
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        BASE64.encode(&pkcs8)
    );
    let encoding = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).expect("pem");
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(record.kid.clone());
    g.bench_function("rs256_sign_jsonwebtoken_encode", |b| {
        b.iter(|| jsonwebtoken::encode(&header, black_box(&claims), &encoding))
    });

    g.bench_function("rs256_verify", |b| {
        b.iter(|| verifier.verify(black_box(&token), TokenUse::Access, None, NOW))
    });
    g.sample_size(10);
    g.bench_function("rsa2048_generate", |b| {
        b.iter(|| new_signing_key(&master, POOL_ID, NOW))
    });
    g.finish();
}

fn srp<M: Measurement>(c: &mut Criterion<M>) {
    let verifier = SrpVerifier::derive(POOL, USER, PASSWORD);
    let block = BASE64.encode([7u8; 64]);
    let ts = "Tue Nov 3 00:18:20 UTC 2026";

    let mut g = c.benchmark_group("srp");
    // One constant-time 3072-bit modexp with a 256-bit exponent (v = g^x).
    g.bench_function("verifier_derive", |b| {
        b.iter(|| SrpVerifier::derive(POOL, USER, black_box(PASSWORD)))
    });
    // USER_PASSWORD_AUTH against an SRP credential: one modexp.
    g.bench_function("verify_password", |b| {
        b.iter(|| verifier.verify_password(POOL, USER, black_box(PASSWORD)))
    });
    // InitiateAuth(USER_SRP_AUTH): B = k·v + g^b, one modexp.
    g.bench_function("server_challenge", |b| {
        b.iter(|| ServerChallenge::new(black_box(&verifier)))
    });

    let client = SrpClient::new();
    let a = client.srp_a_hex();
    let challenge = ServerChallenge::new(&verifier).expect("challenge");
    let sig = client
        .password_claim_signature(
            POOL,
            USER,
            PASSWORD,
            &verifier.salt_hex(),
            &challenge.srp_b_hex(),
            &block,
            ts,
        )
        .expect("signature");
    assert_eq!(challenge.verify(&a, &block, ts, &sig, POOL, USER), Ok(()));
    // RespondToAuthChallenge(PASSWORD_VERIFIER): S = (A·v^u)^b, two modexps.
    g.bench_function("server_verify", |b| {
        b.iter(|| challenge.verify(black_box(&a), &block, ts, &sig, POOL, USER))
    });
    // The server's whole share of one SRP sign-in: three modexps.
    g.bench_function("server_full_sign_in", |b| {
        b.iter(|| {
            let ch = ServerChallenge::new(&verifier).expect("challenge");
            ch.verify(black_box(&a), &block, ts, &sig, POOL, USER)
        })
    });
    g.finish();
}

fn argon2id<M: Measurement>(c: &mut Criterion<M>) {
    let cred =
        PasswordCredential::derive_blocking(PasswordStorage::Argon2id, POOL_ID, USER, PASSWORD)
            .expect("argon2id");
    let mut g = c.benchmark_group("argon2id");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    g.bench_function("hash_owasp", |b| {
        b.iter(|| {
            PasswordCredential::derive_blocking(
                PasswordStorage::Argon2id,
                POOL_ID,
                USER,
                black_box(PASSWORD),
            )
        })
    });
    g.bench_function("verify_owasp", |b| {
        b.iter(|| cred.verify_blocking(POOL_ID, USER, black_box(PASSWORD)))
    });
    g.finish();
}

crypto_bigint::const_monty_params!(BenchN, crypto_bigint::U3072, cognate_core::srp::N_HEX);

/// The bignum primitive alone: one 3072-bit modexp with a 256-bit exponent,
/// the unit STACK-NOTES.md compares (OpenSSL BN 0.63 ms, crypto-bigint 2.1 ms).
fn modexp<M: Measurement>(c: &mut Criterion<M>) {
    use crypto_bigint::modular::{ConstMontyForm, ConstMontyParams};
    use crypto_bigint::{U256, U3072};
    type Fe = ConstMontyForm<BenchN, { U3072::LIMBS }>;
    let base = Fe::new(&U3072::from_u8(2));
    let other = Fe::new(&U3072::from_be_hex(&"5a".repeat(384)));
    let e = U256::from_be_hex(&"a7".repeat(32));
    let e_wide: U3072 = e.resize();

    let mut g = c.benchmark_group("modexp_3072_256bit_exp");
    g.bench_function("const_monty_pow", |b| b.iter(|| black_box(&other).pow(&e)));
    g.bench_function("const_monty_pow_amm", |b| {
        b.iter(|| black_box(&other).pow_amm_bounded_exp(&e_wide, 256))
    });
    g.bench_function("const_monty_pow_vartime", |b| {
        b.iter(|| black_box(&other).pow_vartime(&e))
    });
    g.bench_function("base2_pow", |b| b.iter(|| black_box(&base).pow(&e)));
    let _ = BenchN::PARAMS;
    g.finish();
}

/// CPU time of the calling thread (criterion runs each routine on it).
struct ThreadCpuTime;

fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec to the valid pointer given.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "CLOCK_THREAD_CPUTIME_ID is unavailable");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

impl Measurement for ThreadCpuTime {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        thread_cpu_time()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu_time().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuTimeFormatter
    }
}

struct CpuTimeFormatter;

impl ValueFormatter for CpuTimeFormatter {
    fn scale_values(&self, typical_ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical_ns < 1e3 {
            (1.0, "ns cpu")
        } else if typical_ns < 1e6 {
            (1e-3, "µs cpu")
        } else if typical_ns < 1e9 {
            (1e-6, "ms cpu")
        } else {
            (1e-9, "s cpu")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, values: &mut [f64]) -> &'static str {
        values.iter_mut().for_each(|v| *v = 0.0);
        "n/a"
    }
    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn run_all<M: Measurement>(mut c: Criterion<M>) {
    modexp(&mut c);
    tokens(&mut c);
    srp(&mut c);
    argon2id(&mut c);
    c.final_summary();
}

fn main() {
    if std::env::var_os("COGNATE_BENCH_CPU_TIME").is_some() {
        run_all(
            Criterion::default()
                .with_measurement(ThreadCpuTime)
                .configure_from_args(),
        );
    } else {
        run_all(
            Criterion::default()
                .with_measurement(WallTime)
                .configure_from_args(),
        );
    }
}
