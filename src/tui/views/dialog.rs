//! Dialogs over the current screen: confirmations (with the AWS CLI equivalent), the typed
//! delete, the create-key form, the plan picker, and a new key's one-time value.

use crate::domain::Mutation;
use crate::sanitize::for_terminal;
use crate::tui::state::{AUDIT_FORM_LABELS, AuditForm, FORM_LABELS, KeyForm, Modal};
use crate::tui::theme::Styles;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn draw(frame: &mut Frame, modal: &Modal, s: &Styles) {
    let (title, lines) = match modal {
        Modal::Confirm { mutation, region } => (" confirm ", confirm_lines(mutation, region, s, None)),
        Modal::TypedConfirm { mutation, region, input, .. } => {
            (" delete ", confirm_lines(mutation, region, s, Some(input)))
        }
        Modal::CreateForm { form, .. } => (" new API key ", form_lines(form, s)),
        Modal::PickPlan { attach, options, selected, .. } => {
            (if *attach { " attach to plan " } else { " detach from plan " }, pick_lines(options, *selected, s))
        }
        Modal::ShowValue { name, value } => (" new API key ", value_lines(name, value.expose(), s)),
        Modal::AuditFilter { form } => (" audit filters ", audit_form_lines(form, s)),
        Modal::PickSource { options, selected } => (" audit source ", source_lines(options, *selected, s)),
    };
    let width = 100.min(frame.area().width);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let height = (rows as u16 + 2).min(frame.area().height);
    let area = centered(frame.area(), width, height);
    let block = Block::default().borders(Borders::ALL).border_style(s.popup_border).title(Span::styled(title, s.title));
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block).style(s.popup).wrap(Wrap { trim: false }), area);
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(v);
    h
}

fn confirm_lines<'a>(m: &Mutation, region: &str, s: &Styles, typed: Option<&String>) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::from(Span::styled(format!("This will {}.", for_terminal(&m.describe())), s.text)),
        Line::from(""),
        Line::from(Span::styled("Equivalent AWS CLI:", s.muted)),
    ];
    lines.extend(
        m.aws_cli(region).into_iter().map(|c| Line::from(Span::styled(format!("  {}", for_terminal(&c)), s.accent))),
    );
    lines.push(Line::from(""));
    match (typed, m) {
        (Some(input), Mutation::DeleteKey { name, .. }) => {
            lines.push(Line::from(Span::styled(
                format!("Type the key's name ({}) to delete it:", for_terminal(name)),
                s.warning,
            )));
            lines.push(Line::from(Span::styled(format!("> {}█", for_terminal(input)), s.command_line)));
            lines.push(Line::from(Span::styled("enter deletes when the name matches · esc cancels", s.muted)));
        }
        _ => lines.push(Line::from(Span::styled("enter or y: go ahead · esc or n: cancel", s.muted))),
    }
    lines
}

fn form_lines<'a>(form: &KeyForm, s: &Styles) -> Vec<Line<'a>> {
    let mut lines: Vec<Line> = FORM_LABELS
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let focused = form.focus == i;
            let cursor = if focused { "█" } else { "" };
            let style = if focused { s.command_line } else { s.text };
            Line::from(vec![
                Span::styled(format!("{label:>12}  "), s.muted),
                Span::styled(format!("{}{cursor}", for_terminal(&form.fields[i])), style),
            ])
        })
        .collect();
    let check = if form.enabled { "[x]" } else { "[ ]" };
    let style = if form.focus == 4 { s.command_line } else { s.text };
    lines.push(Line::from(vec![Span::styled(format!("{:>12}  ", "enabled"), s.muted), Span::styled(check, style)]));
    lines.push(Line::from(""));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(format!("✗ {e}"), s.error)));
    }
    lines.push(Line::from(Span::styled(
        "tab/shift-tab move · space toggles enabled · plan ids comma-separated · enter reviews · esc cancels",
        s.muted,
    )));
    lines
}

fn pick_lines<'a>(options: &[(String, String)], selected: usize, s: &Styles) -> Vec<Line<'a>> {
    let labels = options.iter().map(|(id, name)| format!("{}  ({id})", for_terminal(name)));
    choice_lines(labels, selected, "up/down choose · enter reviews · esc cancels", s)
}

/// One line per option (the selected one highlighted), a blank line, then the keys' hint.
fn choice_lines<'a>(labels: impl Iterator<Item = String>, selected: usize, hint: &str, s: &Styles) -> Vec<Line<'a>> {
    let mut lines: Vec<Line> = labels
        .enumerate()
        .map(|(i, label)| {
            let style = if i == selected { s.row_selected } else { s.text };
            Line::from(Span::styled(format!(" {label} "), style))
        })
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(hint.to_string(), s.muted)));
    lines
}

fn value_lines<'a>(name: &str, value: &str, s: &Styles) -> Vec<Line<'a>> {
    vec![
        Line::from(Span::styled(format!("Key {} was created. Its value:", for_terminal(name)), s.text)),
        Line::from(""),
        Line::from(Span::styled(format!("  {value}"), s.warning)),
        Line::from(""),
        Line::from(Span::styled(
            "It is shown this once. c copies it (cleared from the clipboard later) · esc closes",
            s.muted,
        )),
    ]
}

fn audit_form_lines<'a>(form: &AuditForm, s: &Styles) -> Vec<Line<'a>> {
    let field = |label: &str, text: String, focused: bool| {
        let (cursor, style) = if focused { ("█", s.command_line) } else { ("", s.text) };
        Line::from(vec![
            Span::styled(format!("{label:>32}  "), s.muted),
            Span::styled(format!("{text}{cursor}"), style),
        ])
    };
    let mut lines: Vec<Line> = AUDIT_FORM_LABELS
        .iter()
        .enumerate()
        .map(|(i, label)| field(label, for_terminal(&form.fields[i]).into_owned(), form.focus == i))
        .collect();
    let errors = if form.errors_only { "[x]" } else { "[ ]" };
    lines.push(field("errors only", errors.into(), form.focus == 6));
    let kind = match form.read_only {
        None => "any",
        Some(false) => "mutating only",
        Some(true) => "read-only only",
    };
    lines.push(field("read-only / mutating", kind.into(), form.focus == 7));
    lines.push(Line::from(""));
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(format!("✗ {}", for_terminal(e)), s.error)));
    }
    lines.push(Line::from(Span::styled(
        "sources: comma-separated, empty for API Gateway + Cognito, `all` for every source",
        s.muted,
    )));
    lines.push(Line::from(Span::styled("tab/shift-tab move · space toggles · enter applies · esc cancels", s.muted)));
    lines
}

fn source_lines<'a>(options: &[(String, String)], selected: usize, s: &Styles) -> Vec<Line<'a>> {
    let labels = options.iter().map(|(label, _)| for_terminal(label).into_owned());
    choice_lines(labels, selected, "up/down choose · enter reads from there · esc cancels", s)
}
