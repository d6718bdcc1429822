//! A virtualised table: only the rows in view are built, so 10,000 rows draw as fast as 10.

use crate::tui::state::ListView;
use crate::tui::theme::Styles;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Row, Table, TableState};

pub struct VirtualTable<'a> {
    pub header: Row<'a>,
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
        view: &mut ListView,
        len: usize,
        styles: &Styles,
        build: impl Fn(usize) -> Row<'a>,
    ) -> usize {
        let height = area.height.saturating_sub(3) as usize; // borders + header
        let range = view.window(len, height);
        let rows: Vec<Row> = range.clone().map(build).collect();
        let mut state = TableState::default();
        if len > 0 {
            state.select(Some(view.selected - range.start));
        }
        let highlight = if self.focused { styles.row_selected } else { styles.row_selected_unfocused };
        let table = Table::new(rows, self.widths)
            .header(self.header.style(styles.table_header))
            .block(self.block)
            .row_highlight_style(highlight)
            .style(styles.text);
        frame.render_stateful_widget(table, area, &mut state);
        height
    }
}
