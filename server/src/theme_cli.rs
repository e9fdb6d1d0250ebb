//! `cognate theme`: themes the hosted UI from the command line, through the
//! same core operation as SetUICustomization, so the same checks apply (the
//! pool needs a domain, CSS without `@import` or external `url()`, a logo of
//! at most 100 KB). It prints what GetUICustomization would return.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use cognate_core::CognitoError;

use crate::api::actions::ui_customization::customization;
use crate::cli::ThemeCommand;
use crate::config::Config;

/// Runs `cognate theme set|show`.
pub async fn run(config: &Config, command: ThemeCommand) -> anyhow::Result<()> {
    let idp = crate::bootstrap::open_idp(config).await?;
    let found = match command {
        ThemeCommand::Set { target, css, logo } => {
            let css = css
                .as_deref()
                .map(|p| read(p).and_then(|b| utf8(p, b)))
                .transpose()?;
            let logo = logo.as_deref().map(read).transpose()?;
            let set = idp
                .set_ui_customization(&target.user_pool_id, Some(&target.client_id), css, logo)
                .await
                .map_err(refused)?;
            Some(set)
        }
        ThemeCommand::Show { target } => idp
            .get_ui_customization(&target.user_pool_id, Some(&target.client_id))
            .await
            .map_err(refused)?,
    };
    let json = found.map_or_else(|| serde_json::json!({}), |c| customization(&idp, &c));
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    out.flush().context("cannot write to stdout")
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn utf8(path: &Path, bytes: Vec<u8>) -> anyhow::Result<String> {
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))
}

/// The error as the API would name it: `InvalidParameterException: …`.
fn refused(e: CognitoError) -> anyhow::Error {
    anyhow::anyhow!("{}: {}", e.wire_name(), e.message())
}
