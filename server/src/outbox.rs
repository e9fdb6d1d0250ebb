//! The local outbox, read back: `cognate outbox` prints it, and the
//! development page `/_dev/outbox` (ui/outbox.rs) shows it. Both use the
//! JSON shape here.

use std::io::Write;

use anyhow::Context;
use cognate_core::Timestamp;
use cognate_core::store::outbox::OutboxMessage;
use serde_json::{Value, json};

use crate::cli::OutboxArgs;
use crate::config::Config;

/// One message as JSON: who it went to, what it said, and when.
pub fn message_json(m: &OutboxMessage) -> Value {
    json!({
        "id": m.id,
        "user_pool_id": m.pool_id,
        "channel": m.channel.as_str(),
        "recipient": m.destination,
        "subject": m.subject,
        "body": m.body,
        "time": rfc3339(m.created),
    })
}

/// `2024-05-01T12:00:00.123Z` (RFC 3339, UTC) from epoch milliseconds.
pub fn rfc3339(t: Timestamp) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.millis()) * 1_000_000)
        .ok()
        .and_then(|at| at.format(FORMAT).ok())
        // Outside years 1–9999: no RFC 3339 form; the raw milliseconds.
        .unwrap_or_else(|| t.millis().to_string())
}

/// `cognate outbox`: the newest messages, as text or JSON lines.
pub async fn print(config: &Config, args: &OutboxArgs) -> anyhow::Result<()> {
    // The messages are sealed under the master key: the core opens them.
    let idp = crate::bootstrap::open_idp(config).await?;
    if let Some(notice) = crate::mail::outbox_notice(config) {
        eprintln!("{notice}");
    }
    let messages = idp
        .outbox(args.user_pool_id.as_deref(), args.limit as usize)
        .await
        .map_err(|e| anyhow::anyhow!("cannot read the outbox: {}", e.message()))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for m in &messages {
            writeln!(out, "{}", message_json(m))?;
        }
    } else if messages.is_empty() {
        writeln!(out, "The outbox is empty.")?;
    } else {
        for m in &messages {
            writeln!(
                out,
                "{}  {:<5}  {}  ({})",
                rfc3339(m.created),
                m.channel.as_str(),
                m.destination,
                m.pool_id
            )?;
            if let Some(s) = &m.subject {
                writeln!(out, "  Subject: {s}")?;
            }
            for line in m.body.lines() {
                writeln!(out, "  {line}")?;
            }
            writeln!(out)?;
        }
    }
    out.flush().context("cannot write to stdout")
}

#[cfg(test)]
mod tests {
    use super::rfc3339;
    use cognate_core::Timestamp;

    #[test]
    fn dates_are_rfc3339_utc() {
        assert_eq!(rfc3339(Timestamp(0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339(Timestamp(1_709_251_199_999)),
            "2024-02-29T23:59:59.999Z"
        );
        assert_eq!(
            rfc3339(Timestamp(951_782_400_000)),
            "2000-02-29T00:00:00.000Z"
        );
    }
}
