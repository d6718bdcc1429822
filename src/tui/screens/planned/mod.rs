//! A screen that is planned but not built yet (`:partners`, `:try`, `:findings`): it says so.

use super::{Nav, Paint, Screen, Shared};
use crate::tui::action::{Action, Context};
use crate::tui::widgets::panel;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

#[derive(Debug)]
pub struct PlannedScreen {
    pub name: String,
}

impl Screen for PlannedScreen {
    fn title(&self) -> String {
        self.name.clone()
    }

    fn context(&self) -> Context {
        Context::List
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if action == Action::Refresh {
            super::catalog::load_apis(sh);
        }
        Nav::Stay
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let name = &self.name;
        let back = p.keys(Context::Global, Action::Back);
        let text = vec![
            Line::from(Span::styled(format!(":{name}"), s.title)),
            Line::from(""),
            Line::from(Span::styled(
                format!("The {name} screen is not built yet; it is planned for a later release."),
                s.text,
            )),
            Line::from(Span::styled(format!("{back} goes back · :apis opens the catalog"), s.muted)),
        ];
        let block = panel(format!(" {name} "), s, true);
        frame.render_widget(Paragraph::new(text).block(block).wrap(Wrap { trim: true }), area);
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
