//! A virtualised table: only the rows in view are built, so 10,000 rows draw as fast as 10.

use crate::tui::theme::Styles;
use crate::tui::widgets::list::ListView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Row, Table, TableState};

pub struct VirtualTable<'a> {
    /// Column titles; `None` for a list without a header row.
    pub header: Option<Row<'a>>,
    pub widths: Vec<Constraint>,
    pub block: Block<'a>,
    pub focused: bool,
}

impl<'a> VirtualTable<'a> {
    /// Render `len` rows, building only the visible ones with `build(index)`; returns the visible height.
    pub fn render(
        self,
        frame: &mut Frame,
        area: Rect,
        view: &ListView,
        len: usize,
        styles: &Styles,
        build: impl Fn(usize) -> Row<'a>,
    ) -> usize {
        let header_rows = u16::from(self.header.is_some());
        let height = area.height.saturating_sub(2 + header_rows) as usize; // borders + header
        let range = view.window(len, height);
        let rows: Vec<Row> = range.clone().map(build).collect();
        let mut state = TableState::default();
        if len > 0 {
            state.select(Some(view.selected - range.start));
        }
        let highlight = if self.focused { styles.row_selected } else { styles.row_selected_unfocused };
        let mut table = Table::new(rows, self.widths).block(self.block);
        if let Some(h) = self.header {
            table = table.header(h.style(styles.table_header));
        }
        let table = table.row_highlight_style(highlight).style(styles.text);
        frame.render_stateful_widget(table, area, &mut state);
        height
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Borders;
    use std::cell::Cell;

    #[test]
    fn only_visible_rows_are_built() {
        let mut terminal = Terminal::new(TestBackend::new(40, 23)).unwrap();
        let mut view = ListView::default();
        view.bottom(10_000);
        let view = view;
        let built = Cell::new(0usize);
        let styles = Styles::default();
        terminal
            .draw(|f| {
                let table = VirtualTable {
                    header: Some(Row::new(["N"])),
                    widths: vec![Constraint::Fill(1)],
                    block: Block::default().borders(Borders::ALL),
                    focused: true,
                };
                let h = table.render(f, f.area(), &view, 10_000, &styles, |i| {
                    built.set(built.get() + 1);
                    Row::new([i.to_string()])
                });
                assert_eq!(h, 20);
            })
            .unwrap();
        assert_eq!(built.get(), 20, "20 visible rows of 10,000 were built");
        assert_eq!(view.offset(), 9_980);
        let text = format!("{:?}", terminal.backend().buffer());
        assert!(text.contains("9999"), "the last row is drawn");
    }
}
