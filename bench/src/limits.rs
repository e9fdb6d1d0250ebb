//! The machine's ceilings for the work a sign-in costs, measured with plain
//! timing loops in this process: RS256 signatures (aws-lc-rs, as Cognate's
//! token signer), 3072-bit modular exponentiations with a 256-bit exponent
//! (crypto-bigint's `ConstMontyForm::pow`, the bignum of Cognate's SRP) and
//! argon2id hashes with the OWASP parameters Cognate uses. Each is measured
//! on one thread and on one thread per core at once.

use std::hint::black_box;
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::RSA_PKCS1_SHA256;
use cognate_core::credential::PasswordCredential;
use cognate_core::model::pool::PasswordStorage;
use crypto_bigint::modular::ConstMontyForm;
use crypto_bigint::{U256, U3072};
use serde::Serialize;

crypto_bigint::const_monty_params!(SrpN, U3072, cognate_core::srp::N_HEX);

#[derive(Debug, Serialize)]
pub struct Limit {
    pub name: &'static str,
    pub what: &'static str,
    /// Operations per second on one thread.
    pub per_core: f64,
    /// Operations per second with one thread per core, all at once.
    pub all_cores: f64,
}

#[derive(Debug, Serialize)]
pub struct Limits {
    pub cores: usize,
    pub limits: Vec<Limit>,
}

/// Runs `op` for at least `length` on one thread; operations per second.
fn rate(length: Duration, op: &(dyn Fn() + Sync)) -> f64 {
    op(); // warm caches and lazily built tables
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < length {
        op();
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn measure(
    name: &'static str,
    what: &'static str,
    cores: usize,
    length: Duration,
    op: &(dyn Fn() + Sync),
) -> Limit {
    let per_core = rate(length, op);
    let all_cores = std::thread::scope(|s| {
        let threads: Vec<_> = (0..cores).map(|_| s.spawn(|| rate(length, op))).collect();
        threads
            .into_iter()
            .map(|t| t.join().unwrap_or(0.0))
            .sum::<f64>()
    });
    eprintln!("limit {name}: {per_core:.0}/s per core, {all_cores:.0}/s on {cores} cores");
    Limit {
        name,
        what,
        per_core,
        all_cores,
    }
}

pub fn measure_all(length: Duration) -> anyhow::Result<Limits> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let key = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| anyhow::anyhow!("RSA key generation failed"))?;
    // About the size of the signing input of a Cognito access token.
    let message = vec![b'e'; 900];
    let rng = SystemRandom::new();
    let rs256 = || {
        let mut sig = vec![0u8; key.public_modulus_len()];
        let _ = key.sign(&RSA_PKCS1_SHA256, &rng, black_box(&message), &mut sig);
        black_box(sig);
    };

    type Fe = ConstMontyForm<SrpN, { U3072::LIMBS }>;
    let base = Fe::new(&U3072::from_be_hex(&"5a".repeat(384)));
    let exponent = U256::from_be_hex(&"a7".repeat(32));
    let modexp = || {
        black_box(black_box(&base).pow(black_box(&exponent)));
    };

    let argon2id = || {
        let _ = black_box(PasswordCredential::derive_blocking(
            PasswordStorage::Argon2id,
            "us-east-1_Bench",
            "bench-user",
            black_box("Bench-Passw0rd!"),
        ));
    };

    Ok(Limits {
        cores,
        limits: vec![
            measure(
                "rs256_sign",
                "RS256 signature, RSA-2048 (aws-lc-rs)",
                cores,
                length,
                &rs256,
            ),
            measure(
                "modexp_3072",
                "3072-bit modexp, 256-bit exponent (crypto-bigint 0.7 ConstMontyForm::pow)",
                cores,
                length,
                &modexp,
            ),
            measure(
                "argon2id",
                "argon2id hash, m=19456 KiB, t=2, p=1 (OWASP; Cognate's parameters)",
                cores,
                length.max(Duration::from_secs(2)),
                &argon2id,
            ),
        ],
    })
}
