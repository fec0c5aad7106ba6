//! Themes: semantic colours from `themes/*.toml`, embedded in the binary, with
//! user files of the same name layered on top. `NO_COLOR` turns every colour
//! off; styles then fall back to bold, dim and reverse video.

use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use toml::de::DeValue;

use super::{Layer, cap_warnings, load_layers, suggest};
use crate::status::Status;

/// Built-in themes: (name, file text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

macro_rules! colors {
    ($($name:ident),* $(,)?) => {
        /// Every colour a theme sets, by its meaning.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Colors {
            $(pub $name: Color,)*
        }

        impl Default for Colors {
            fn default() -> Colors {
                Colors { $($name: Color::Reset,)* }
            }
        }

        impl Colors {
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            fn slot(&mut self, name: &str) -> Option<&mut Color> {
                match name {
                    $(stringify!($name) => Some(&mut self.$name),)*
                    _ => None,
                }
            }
        }
    };
}

colors!(
    text,
    background,
    muted,
    border,
    focus,
    title,
    selection,
    selection_text,
    header,
    header_text,
    ok,
    warn,
    fail,
    unknown,
    danger,
    danger_text,
    accent,
    info,
);

#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub name: String,
    pub colors: Colors,
    /// `NO_COLOR` is set: styles use only bold, dim and reverse video.
    pub no_color: bool,
}

impl Theme {
    pub fn load(name: &str, user_dir: Option<&Path>, no_color: bool) -> (Theme, Vec<String>) {
        let (layers, mut warnings) = load_layers("theme", name, BUILTIN, user_dir);
        let mut theme = Theme {
            name: name.to_string(),
            colors: Colors::default(),
            no_color,
        };
        for layer in &layers {
            let from = warnings.len();
            theme.apply(layer, &mut warnings);
            cap_warnings(&layer.origin, &mut warnings, from);
        }
        (theme, warnings)
    }

    /// A built-in theme, for tests and snapshots.
    pub fn builtin(name: &str) -> Theme {
        Theme::load(name, None, false).0
    }

    fn apply(&mut self, layer: &Layer, warnings: &mut Vec<String>) {
        let src = layer.source();
        let Ok(table) = layer.parse() else { return };
        for (section, value) in table.get_ref().iter() {
            match (section.get_ref().as_ref(), value.get_ref()) {
                ("extends", DeValue::String(_)) => {}
                ("colors", DeValue::Table(colors)) => {
                    for (key, value) in colors.iter() {
                        let name = key.get_ref().as_ref();
                        let Some(slot) = self.colors.slot(name) else {
                            let hint = suggest(name, Colors::NAMES.iter().copied())
                                .map(|s| format!(" (did you mean \"{s}\"?)"))
                                .unwrap_or_default();
                            warnings.push(src.message(
                                key.span().start,
                                &format!(
                                    "unknown colour name \"{name}\"{hint}; known names: {}",
                                    Colors::NAMES.join(", ")
                                ),
                            ));
                            continue;
                        };
                        let parsed = match value.get_ref() {
                            DeValue::String(s) => s.parse::<Color>().ok(),
                            _ => None,
                        };
                        match parsed {
                            Some(color) => *slot = color,
                            None => warnings.push(src.message(
                                value.span().start,
                                &format!(
                                    "cannot parse the colour for \"{name}\": expected a quoted name such as \"red\" or \"lightblue\", an index \"0\"..\"255\" or \"#rrggbb\"; the default stays in force"
                                ),
                            )),
                        }
                    }
                }
                (other, _) => warnings.push(src.message(
                    section.span().start,
                    &format!("unknown entry \"{other}\" (a theme has `extends` and a [colors] table); ignored"),
                )),
            }
        }
    }

    fn paint(
        &self,
        fg: Option<Color>,
        bg: Option<Color>,
        mods: Modifier,
        plain: Modifier,
    ) -> Style {
        if self.no_color {
            return Style::new().add_modifier(plain);
        }
        let mut style = Style::new().add_modifier(mods);
        if let Some(fg) = fg {
            style = style.fg(fg);
        }
        if let Some(bg) = bg {
            style = style.bg(bg);
        }
        style
    }

    pub fn base(&self) -> Style {
        let c = &self.colors;
        self.paint(
            Some(c.text),
            Some(c.background),
            Modifier::empty(),
            Modifier::empty(),
        )
    }

    pub fn muted(&self) -> Style {
        self.paint(
            Some(self.colors.muted),
            None,
            Modifier::empty(),
            Modifier::DIM,
        )
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.paint(
                Some(self.colors.focus),
                None,
                Modifier::BOLD,
                Modifier::BOLD,
            )
        } else {
            self.paint(
                Some(self.colors.border),
                None,
                Modifier::empty(),
                Modifier::DIM,
            )
        }
    }

    pub fn title(&self, focused: bool) -> Style {
        let fg = if focused {
            self.colors.focus
        } else {
            self.colors.title
        };
        self.paint(Some(fg), None, Modifier::BOLD, Modifier::BOLD)
    }

    pub fn selection(&self) -> Style {
        let c = &self.colors;
        self.paint(
            Some(c.selection_text),
            Some(c.selection),
            Modifier::empty(),
            Modifier::REVERSED,
        )
    }

    pub fn header(&self) -> Style {
        let c = &self.colors;
        self.paint(
            Some(c.header_text),
            Some(c.header),
            Modifier::empty(),
            Modifier::REVERSED,
        )
    }

    pub fn danger(&self) -> Style {
        let c = &self.colors;
        self.paint(
            Some(c.danger_text),
            Some(c.danger),
            Modifier::BOLD,
            Modifier::BOLD,
        )
    }

    pub fn accent(&self) -> Style {
        self.paint(
            Some(self.colors.accent),
            None,
            Modifier::BOLD,
            Modifier::BOLD,
        )
    }

    pub fn info(&self) -> Style {
        self.paint(
            Some(self.colors.info),
            None,
            Modifier::empty(),
            Modifier::empty(),
        )
    }

    pub fn status(&self, status: Status) -> Style {
        let c = &self.colors;
        match status {
            Status::Ok => self.paint(Some(c.ok), None, Modifier::empty(), Modifier::empty()),
            Status::Warn => self.paint(Some(c.warn), None, Modifier::BOLD, Modifier::BOLD),
            Status::Fail => self.paint(
                Some(c.fail),
                None,
                Modifier::BOLD,
                Modifier::BOLD | Modifier::REVERSED,
            ),
            Status::Unknown => self.paint(Some(c.unknown), None, Modifier::empty(), Modifier::DIM),
        }
    }
}

/// `NO_COLOR` is set to something (https://no-color.org).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
