//! The Japanese fonts the PDFs are set in: the files named in `[pdf] fonts` of kitei.toml, or
//! else the first Debian font package found (IPAex, Noto CJK, IPA). typst embeds the subset of
//! each font a document uses. Without a font that covers Japanese, the error names the
//! package to install: a PDF in a Latin font would show empty boxes (tofu) for every kanji.

use std::path::{Path, PathBuf};

use typst::foundations::Bytes;
use typst::text::Font;

/// Debian packages with Japanese fonts, in order of preference, with their files (serif first).
const PACKAGES: [(&str, &[&str]); 3] = [
    (
        "fonts-ipaexfont",
        &[
            "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
            "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
        ],
    ),
    (
        "fonts-noto-cjk",
        &[
            "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
            "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        ],
    ),
    (
        "fonts-ipafont",
        &[
            "/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf",
            "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
        ],
    ),
];

/// What the error says to do when no Japanese font is found.
pub const INSTALL_HINT: &str = "install a Japanese font: `apt-get install fonts-ipaexfont` (or fonts-noto-cjk), \
     or name font files or folders in kitei.toml: [pdf] fonts = [\"path/to/font.ttf\"]";

/// The fonts of a PDF and the families its text uses.
pub struct FontSet {
    pub fonts: Vec<Font>,
    /// Families for body text (serif first), as typst names them.
    pub body: Vec<String>,
    /// Families for headings and the cover (sans first).
    pub heading: Vec<String>,
    /// The SHA-256 of the font files' bytes, in load order (part of every PDF's cache key).
    pub digest: [u8; 32],
}

/// Loads the configured fonts (`configured`, relative to `root`), or the system's.
pub fn load(configured: &[PathBuf], root: &Path) -> Result<FontSet, String> {
    if !configured.is_empty() {
        let mut files = Vec::new();
        for p in configured {
            let p = root.join(p);
            if p.is_dir() {
                let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&p)
                    .into_iter()
                    .filter_map(|e| e.ok())
                    .map(|e| e.into_path())
                    .filter(|f| is_font_file(f))
                    .collect();
                found.sort();
                files.extend(found);
            } else if p.is_file() {
                files.push(p);
            } else {
                return Err(format!(
                    "kitei.toml: [pdf] fonts: `{}` does not exist",
                    p.display()
                ));
            }
        }
        let where_ = configured
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return from_files(&files).ok_or_else(|| {
            format!("no Japanese font in [pdf] fonts ({where_}) of kitei.toml; {INSTALL_HINT}")
        });
    }
    for (_, files) in PACKAGES {
        let present: Vec<PathBuf> = files
            .iter()
            .map(PathBuf::from)
            .filter(|f| f.is_file())
            .collect();
        if let Some(set) = from_files(&present) {
            return Ok(set);
        }
    }
    let packages: Vec<&str> = PACKAGES.iter().map(|(p, _)| *p).collect();
    Err(format!(
        "no Japanese font found (looked for the Debian packages {}); {INSTALL_HINT}",
        packages.join(", ")
    ))
}

fn is_font_file(p: &Path) -> bool {
    let ext = p
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc")
}

/// The fonts in `files` when at least one covers Japanese (kana and kanji).
fn from_files(files: &[PathBuf]) -> Option<FontSet> {
    use sha2::Digest;
    let mut fonts = Vec::new();
    let mut digest = sha2::Sha256::new();
    for f in files {
        let Ok(data) = std::fs::read(f) else { continue };
        digest.update((data.len() as u64).to_le_bytes());
        digest.update(&data);
        fonts.extend(Font::iter(Bytes::new(data)));
    }
    let japanese = |font: &Font| {
        let c = &font.info().coverage;
        ['あ', 'ア', '漢', '、']
            .iter()
            .all(|ch| c.contains(*ch as u32))
    };
    // Families in load order, Japanese ones only; a TTC holds CJK faces for several
    // languages: the Japanese (JP) face comes first.
    let mut families: Vec<String> = Vec::new();
    for font in fonts.iter().filter(|f| japanese(f)) {
        let family = &font.info().family;
        if !families.contains(family) {
            families.push(family.clone());
        }
    }
    if families.is_empty() {
        return None;
    }
    let serif = |f: &str| {
        let f = f.to_lowercase();
        f.contains("mincho") || f.contains("serif") || f.contains("明朝")
    };
    let jp = |f: &str| f.contains("JP") || !f.contains("CJK");
    let mut body = families.clone();
    body.sort_by_key(|f| (!jp(f), !serif(f)));
    let mut heading = families;
    heading.sort_by_key(|f| (!jp(f), serif(f)));
    Some(FontSet {
        fonts,
        body,
        heading,
        digest: digest.finalize().into(),
    })
}
