//! Hosted-UI customization: Cognito's UICustomizationType (SetUICustomization,
//! GetUICustomization) — a logo and a custom CSS block for a pool (`ALL`) or
//! one of its app clients, which overrides the pool's.
//!
//! The CSS ends up inside the hosted UI's pages, so it is checked before it
//! is stored (docs/architecture.md, "Themes"): nothing that loads from elsewhere
//! (`@import`, `url()` other than a data: image, `image-set()`), nothing that
//! runs code (`expression()`, `javascript:`, `-moz-binding`, `behavior`),
//! nothing that could close the `<style>` element (`<`).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer};

use super::validate;
use crate::clock::Timestamp;
use crate::error::{CognitoError, Result};

/// The ClientId that names a pool's default customization.
pub const ALL_CLIENTS: &str = "ALL";

/// Cognito API: SetUICustomization, CSS — at most 131072 characters.
pub const MAX_CSS_CHARS: usize = 131_072;

/// Cognito developer guide, "Customizing hosted UI (classic) branding": the
/// logo file can be no larger than 100 KB.
pub const MAX_IMAGE_BYTES: usize = 100 * 1024;

/// A blob member of the AWS JSON protocol: base64 text on the wire.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Blob(pub Vec<u8>);

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD
            .decode(text.trim().as_bytes())
            .map(Blob)
            .map_err(|e| serde::de::Error::custom(format!("blob is not valid base64: {e}")))
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({} bytes)", self.0.len())
    }
}

/// The logo formats Cognito accepts: PNG and JPEG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageType {
    Png,
    Jpeg,
}

impl ImageType {
    /// Recognizes an image by its signature, not by what the caller says.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
        }
    }

    pub fn parse(content_type: &str) -> Option<Self> {
        match content_type {
            "image/png" => Some(Self::Png),
            "image/jpeg" => Some(Self::Jpeg),
            _ => None,
        }
    }
}

/// A stored logo.
#[derive(Clone, PartialEq, Eq)]
pub struct LogoImage {
    pub bytes: Vec<u8>,
    pub image_type: ImageType,
}

impl fmt::Debug for LogoImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogoImage")
            .field("image_type", &self.image_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// Cognito API: SetUICustomization, ImageFile — a PNG or JPEG of at most
/// 100 KB. An empty file means no logo.
pub fn check_image(bytes: Vec<u8>) -> Result<Option<LogoImage>> {
    if bytes.is_empty() {
        return Ok(None);
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(CognitoError::invalid_parameter(format!(
            "ImageFile is {} bytes; the logo can be no larger than 100 KB ({MAX_IMAGE_BYTES} bytes).",
            bytes.len()
        )));
    }
    let image_type = ImageType::sniff(&bytes)
        .ok_or_else(|| CognitoError::invalid_parameter("ImageFile must be a PNG or JPEG image."))?;
    Ok(Some(LogoImage { bytes, image_type }))
}

/// A pool's or a client's customization, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UiCustomization {
    pub pool_id: String,
    /// `None` for the pool's default (`ALL`).
    pub client_id: Option<String>,
    pub css: Option<String>,
    pub image: Option<LogoImage>,
    /// Changes with every SetUICustomization; also busts caches of the logo.
    pub css_version: String,
    pub created: Timestamp,
    pub modified: Timestamp,
}

impl UiCustomization {
    /// Validates a SetUICustomization request and builds what it sets.
    /// Cognito sets CSS and logo together: what is left out is removed.
    pub fn new(
        pool_id: &str,
        client_id: Option<&str>,
        css: Option<String>,
        image_file: Option<Vec<u8>>,
        css_version: String,
        now: Timestamp,
    ) -> Result<Self> {
        if let Some(css) = &css {
            check_css(css)?;
        }
        let image = match image_file {
            Some(bytes) => check_image(bytes)?,
            None => None,
        };
        Ok(Self {
            pool_id: pool_id.to_owned(),
            client_id: client_id.map(str::to_owned),
            css: css.filter(|c| !c.is_empty()),
            image,
            css_version,
            created: now,
            modified: now,
        })
    }

    /// `ALL` or the client id: the key of the customization in its pool.
    pub fn target(&self) -> &str {
        self.client_id.as_deref().unwrap_or(ALL_CLIENTS)
    }
}

fn css_error(why: impl fmt::Display) -> CognitoError {
    CognitoError::invalid_parameter(format!("Invalid CSS: {why}"))
}

/// The image types a data: URL in the CSS may carry. SVG is inert as a CSS
/// image: browsers run no script and load nothing from it there.
const DATA_IMAGE_PREFIXES: &[&str] = &[
    "data:image/png",
    "data:image/jpeg",
    "data:image/jpg",
    "data:image/gif",
    "data:image/webp",
    "data:image/svg+xml",
];

/// Checks custom CSS for the hosted UI. Rules are matched on a normal form
/// of the text — comments removed, escapes decoded, lowercased, whitespace
/// dropped — so that `u\72l(`, `@IMPORT` or `expr/**/ession(` cannot slip by.
pub fn check_css(css: &str) -> Result<()> {
    validate::len_between("CSS", css, 0, MAX_CSS_CHARS)?;
    // "Property values cannot contain HTML" (Cognito developer guide); and a
    // `<` is how `</style>` would end the element that holds the CSS.
    if css.contains('<') {
        return Err(css_error(
            "'<' is not allowed (no HTML, and nothing that could close the <style> element).",
        ));
    }
    if let Some(c) = css
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0C'))
    {
        return Err(css_error(format!(
            "the control character U+{:04X} is not allowed.",
            c as u32
        )));
    }
    let normal = normal_form(css)?;
    for (needle, why) in [
        (
            "@import",
            "@import is not allowed: custom CSS cannot load other stylesheets.",
        ),
        (
            "expression(",
            "expression() is not allowed: it runs script.",
        ),
        ("javascript:", "javascript: URLs are not allowed."),
        ("vbscript:", "vbscript: URLs are not allowed."),
        (
            "-moz-binding",
            "-moz-binding is not allowed: it runs script.",
        ),
        (
            "image-set(",
            "image-set() is not allowed: images may only be data: URLs inside url().",
        ),
        (
            "image(",
            "image() is not allowed: images may only be data: URLs inside url().",
        ),
        (
            "src(",
            "src() is not allowed: custom CSS cannot load external resources.",
        ),
    ] {
        if normal.contains(needle) {
            return Err(css_error(why));
        }
    }
    // IE's `behavior` property; `scroll-behavior` and `overscroll-behavior` are fine.
    if normal.match_indices("behavior:").any(|(at, _)| {
        !normal[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_')
    }) {
        return Err(css_error("behavior is not allowed: it runs script."));
    }
    let mut rest = normal.as_str();
    while let Some(at) = rest.find("url(") {
        let arg = rest[at + 4..].trim_start_matches(['"', '\'']);
        let ok = DATA_IMAGE_PREFIXES.iter().any(|p| {
            arg.strip_prefix(p)
                .is_some_and(|tail| tail.starts_with(';') || tail.starts_with(','))
        });
        if !ok {
            return Err(css_error(
                "url() may only hold a data: image (png, jpeg, gif, webp or svg+xml); custom CSS cannot load external resources.",
            ));
        }
        rest = &rest[at + 4..];
    }
    Ok(())
}

/// The normal form `check_css` matches on; also checks that comments and
/// strings end and that braces balance.
fn normal_form(css: &str) -> Result<String> {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut quote: Option<char> = None;
    let mut depth: i64 = 0;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '/') if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = '\0';
                loop {
                    match chars.next() {
                        Some('/') if prev == '*' => break,
                        Some(x) => prev = x,
                        None => return Err(css_error("a comment is not closed with */.")),
                    }
                }
            }
            (_, '\\') => match chars.next() {
                // An escaped newline continues a string; outside one it is invalid.
                Some('\n' | '\r' | '\x0C') if quote.is_some() => {}
                Some(h) if h.is_ascii_hexdigit() => {
                    let mut hex = String::from(h);
                    while hex.len() < 6 {
                        match chars.peek() {
                            Some(x) if x.is_ascii_hexdigit() => {
                                hex.push(*x);
                                chars.next();
                            }
                            _ => break,
                        }
                    }
                    if chars.peek().is_some_and(|x| x.is_whitespace()) {
                        chars.next();
                    }
                    let decoded = u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('\u{FFFD}');
                    push_normal(&mut out, decoded);
                }
                Some(x) => push_normal(&mut out, x),
                None => return Err(css_error("the CSS ends with a lone backslash.")),
            },
            (None, '"' | '\'') => {
                quote = Some(c);
                out.push(c);
            }
            (Some(q), _) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), '\n' | '\r' | '\x0C') => {
                return Err(css_error("a string is not closed on its line."));
            }
            (None, '{') => {
                depth += 1;
                out.push(c);
            }
            (None, '}') => {
                depth -= 1;
                if depth < 0 {
                    return Err(css_error("a '}' has no matching '{'."));
                }
                out.push(c);
            }
            _ => push_normal(&mut out, c),
        }
    }
    if quote.is_some() {
        return Err(css_error("a string is not closed."));
    }
    if depth != 0 {
        return Err(css_error("a '{' is not closed with '}'."));
    }
    Ok(out)
}

fn push_normal(out: &mut String, c: char) {
    if !c.is_whitespace() {
        out.extend(c.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejects(css: &str) -> String {
        let e = check_css(css).expect_err(css);
        assert_eq!(e.wire_name(), "InvalidParameterException");
        e.message().to_owned()
    }

    #[test]
    fn ordinary_css_passes() {
        let css = r#"
            :root { --color-primary: #0b5fff; --radius: 6px; --font: "Inter", sans-serif; }
            .banner-customizable { background-color: rgb(10 20 30 / 50%); padding: 25px 0; }
            /* a comment with url(http://x) inside is only a comment */
            .submitButton-customizable:hover { color: #fff; }
            .logo-customizable { background: url("data:image/png;base64,iVBORw0KGgo=") no-repeat; }
            .x::before { content: "\201C a > b"; }
            html { scroll-behavior: smooth; overscroll-behavior: none; }
            @media (prefers-color-scheme: dark) { :root { --bg: #000; } }
        "#;
        check_css(css).unwrap();
        check_css("").unwrap();
    }

    #[test]
    fn external_loads_are_refused() {
        assert!(rejects("@import url(https://evil.example/x.css);").contains("@import"));
        assert!(rejects("@IMPORT 'x.css';").contains("@import"));
        assert!(rejects("@im\\70 ort 'x.css';").contains("@import"));
        assert!(rejects("a { background: url(https://evil.example/k?a) }").contains("url()"));
        assert!(rejects("a { background: URL( 'http://evil.example' ) }").contains("url()"));
        assert!(rejects("a { background: u\\72l(//evil.example) }").contains("url()"));
        assert!(rejects("a { background: url(data:text/html,hi) }").contains("url()"));
        assert!(rejects("a { background: image-set('x.png' 1x) }").contains("image-set"));
        assert!(rejects("@font-face { src: url(/font.woff) }").contains("url()"));
    }

    #[test]
    fn script_and_markup_are_refused() {
        assert!(rejects("a { width: expression(alert(1)) }").contains("expression"));
        assert!(rejects("a { width: expr/**/ession(alert(1)) }").contains("expression"));
        assert!(rejects("a { -moz-binding: url(x.xml#x) }").contains("-moz-binding"));
        assert!(rejects("a { behavior: url(x.htc) }").contains("behavior"));
        assert!(rejects("a { b: 'javascript:alert(1)' }").contains("javascript"));
        assert!(rejects("</style><script>alert(1)</script>").contains("'<'"));
        assert!(rejects("a { color: red }\u{0}").contains("control"));
    }

    #[test]
    fn malformed_css_is_refused() {
        assert!(rejects("a { color: red").contains("not closed"));
        assert!(rejects("a { color: red }}").contains("no matching"));
        assert!(rejects("a { content: 'open }").contains("string"));
        assert!(rejects("/* open").contains("comment"));
        assert!(rejects(&"a".repeat(MAX_CSS_CHARS + 1)).contains("131072"));
    }

    #[test]
    fn images_are_png_or_jpeg_up_to_100_kb() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.resize(1000, 0);
        assert_eq!(
            check_image(png.clone()).unwrap().unwrap().image_type,
            ImageType::Png
        );
        assert_eq!(
            check_image(vec![0xFF, 0xD8, 0xFF, 0xE0])
                .unwrap()
                .unwrap()
                .image_type,
            ImageType::Jpeg
        );
        assert!(check_image(Vec::new()).unwrap().is_none());
        assert!(check_image(b"GIF89a....".to_vec()).is_err());
        png.resize(MAX_IMAGE_BYTES + 1, 0);
        assert!(check_image(png).unwrap_err().message().contains("100 KB"));
    }
}
