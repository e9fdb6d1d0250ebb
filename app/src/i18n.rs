//! The hosted UI's languages: which one a request gets (`lang` parameter,
//! then Accept-Language) and its messages, read from `app/i18n/<code>.toml`.
//!
//! To add a language: copy `app/i18n/en.toml` to `<code>.toml`, translate the
//! values, and add a variant to [`Lang`] with its file in [`Lang::source`].

use std::collections::HashMap;
use std::sync::LazyLock;

/// A language the hosted UI speaks. English is the fallback.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// The BCP 47 tag, as written in `<html lang>` and the `lang` parameter.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("../i18n/en.toml"),
            Lang::Fr => include_str!("../i18n/fr.toml"),
        }
    }

    /// The language of a tag such as `fr`, `fr-CA` or `EN_us`, by its primary
    /// subtag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The language of a request: a supported `lang` parameter wins (as in
    /// Cognito's hosted UI), then the best Accept-Language entry we speak by
    /// quality value (RFC 9110 §12.5.4), then English.
    pub fn negotiate(lang_param: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = lang_param.and_then(Lang::from_tag) {
            return lang;
        }
        let Some(header) = accept_language else {
            return Lang::En;
        };
        let mut ranges: Vec<(u16, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, item)| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim();
                let mut q = 1000;
                for param in parts {
                    let (k, v) = param.split_once('=')?;
                    if k.trim().eq_ignore_ascii_case("q") {
                        q = parse_qvalue(v.trim())?;
                    }
                }
                (!tag.is_empty() && q > 0).then_some((q, i, tag))
            })
            .collect();
        // Highest quality first; equal qualities keep the header's order.
        ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges
            .into_iter()
            .find_map(|(_, _, tag)| {
                if tag == "*" {
                    Some(Lang::En)
                } else {
                    Lang::from_tag(tag)
                }
            })
            .unwrap_or(Lang::En)
    }

    /// The message for `key`; English when this language lacks it, the key
    /// itself when English lacks it too (a test keeps that from shipping).
    pub fn t(self, key: &'static str) -> &'static str {
        self.lookup(key).unwrap_or_else(|| {
            debug_assert!(false, "no message for i18n key {key:?}");
            key
        })
    }

    /// [`Lang::t`] with `{name}` placeholders filled in.
    pub fn tf(self, key: &'static str, args: &[(&str, &str)]) -> String {
        let mut message = self.t(key).to_owned();
        for (name, value) in args {
            message = message.replace(&format!("{{{name}}}"), value);
        }
        message
    }

    /// The message for `key` in this language or else English, if either
    /// has one.
    pub fn lookup(self, key: &str) -> Option<&'static str> {
        CATALOGS[self as usize]
            .get(key)
            .or_else(|| CATALOGS[Lang::En as usize].get(key))
            .map(String::as_str)
    }

    #[cfg(test)]
    fn own(self, key: &str) -> Option<&'static str> {
        CATALOGS[self as usize].get(key).map(String::as_str)
    }

    /// Every key of this language's file.
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        CATALOGS[self as usize].keys().map(String::as_str)
    }
}

/// `negotiate` as a free function, for handlers that import it by name.
pub fn negotiate(lang_param: Option<&str>, accept_language: Option<&str>) -> Lang {
    Lang::negotiate(lang_param, accept_language)
}

/// A quality value, 0 to 1 with up to three decimals, in thousandths.
fn parse_qvalue(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value = format!("{frac:0<3}").parse::<u16>().ok()?;
    match int {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}

/// The catalogues, parsed once from files compiled into the binary. They are
/// constants of the program, so a global table is the honest place for them.
static CATALOGS: LazyLock<Vec<HashMap<String, String>>> = LazyLock::new(|| {
    Lang::ALL
        .into_iter()
        .map(|lang| {
            let table: toml::Table = toml::from_str(lang.source())
                .unwrap_or_else(|e| panic!("app/i18n/{}.toml: {e}", lang.code()));
            let mut messages = HashMap::new();
            flatten("", &table, &mut messages);
            messages
        })
        .collect()
});

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (key, value) in table {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            other => panic!("i18n key {key}: expected a string, found {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_english_key_exists_in_every_language() {
        for lang in Lang::ALL {
            let missing: Vec<_> = Lang::En.keys().filter(|k| lang.own(k).is_none()).collect();
            assert!(missing.is_empty(), "{}.toml lacks {missing:?}", lang.code());
            let extra: Vec<_> = lang.keys().filter(|k| Lang::En.own(k).is_none()).collect();
            assert!(
                extra.is_empty(),
                "{}.toml has keys en.toml lacks: {extra:?}",
                lang.code()
            );
        }
    }

    #[test]
    fn placeholders_match_english() {
        let placeholders = |s: &str| {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned()))
                .collect();
            v.sort();
            v
        };
        for lang in Lang::ALL {
            for key in Lang::En.keys() {
                assert_eq!(
                    placeholders(Lang::En.t(key)),
                    placeholders(lang.t(key)),
                    "{}.toml {key}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn lang_parameter_wins_over_accept_language() {
        assert_eq!(Lang::negotiate(Some("fr"), Some("en")), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("fr-CA"), None), Lang::Fr);
        assert_eq!(Lang::negotiate(Some("en"), Some("fr")), Lang::En);
        // An unsupported parameter falls through to the header.
        assert_eq!(Lang::negotiate(Some("xx"), Some("fr")), Lang::Fr);
    }

    #[test]
    fn accept_language_honours_quality_values() {
        assert_eq!(Lang::negotiate(None, Some("en;q=0.5, fr;q=0.9")), Lang::Fr);
        assert_eq!(Lang::negotiate(None, Some("fr;q=0.4, en;q=0.8")), Lang::En);
        assert_eq!(
            Lang::negotiate(None, Some("de, fr-CH;q=0.9, en;q=0.8")),
            Lang::Fr
        );
        assert_eq!(Lang::negotiate(None, Some("de-DE,de;q=0.9")), Lang::En);
        // q=0 means "not acceptable".
        assert_eq!(Lang::negotiate(None, Some("fr;q=0, en;q=0.1")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr;q=0")), Lang::En);
        // Equal quality: the header's order decides.
        assert_eq!(Lang::negotiate(None, Some("fr;q=0.8, en;q=0.8")), Lang::Fr);
        assert_eq!(Lang::negotiate(None, Some("FR-ca ; q=1.0")), Lang::Fr);
    }

    #[test]
    fn malformed_accept_language_falls_back_to_english() {
        assert_eq!(Lang::negotiate(None, None), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr;q=2")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr;q=abc, en;q=0.1")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some(";;,,")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("*")), Lang::En);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            Lang::En.tf("policy.min_length", &[("min", "12")]),
            "At least 12 characters"
        );
        assert_eq!(
            Lang::Fr.tf("policy.min_length", &[("min", "12")]),
            "Au moins 12 caractères"
        );
    }
}
