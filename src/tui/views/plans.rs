//! Usage plans: the list, and one plan's API stages, keys and usage chart.

use super::{panel, placeholder};
use crate::domain::{Throttle, Usage, UsagePlan};
use crate::sanitize::one_line;
use crate::tui::state::{AppState, ListView, Loadable, PlanRow, Screen};
use crate::tui::theme::Styles;
use crate::tui::widgets::vtable::VirtualTable;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Cell, Paragraph, Row};

pub fn throttle_text(t: &Option<Throttle>) -> String {
    t.as_ref().map_or("-".into(), |t| {
        format!("{}/s burst {}", t.rate_limit.unwrap_or_default(), t.burst_limit.unwrap_or_default())
    })
}

fn quota_text(p: &UsagePlan) -> String {
    p.quota.as_ref().map_or("-".into(), |q| format!("{} per {}", q.limit, q.period.to_lowercase()))
}

pub fn draw_list(frame: &mut Frame, area: Rect, state: &mut AppState, s: &Styles) -> usize {
    let Screen::Plans { mut view } = state.screen().clone() else { return 0 };
    let title = format!(" usage plans ({}) ", state.plans.loaded().map_or(0, Vec::len));
    if let Some(p) = placeholder(&state.plans, "usage plans", s, state.tick) {
        frame.render_widget(p.block(panel(title, s, true)), area);
        return area.height as usize;
    }
    let plans = state.filtered_plans(&view.filter);
    let header = Row::new(["NAME", "ID", "THROTTLE", "QUOTA", "API STAGES", "KEYS", "REGION"]);
    let widths = vec![
        Constraint::Fill(2),
        Constraint::Length(11),
        Constraint::Length(18),
        Constraint::Length(20),
        Constraint::Fill(3),
        Constraint::Length(5),
        Constraint::Length(14),
    ];
    let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
    let height = table.render(frame, area, &mut view, plans.len(), s, |i| plan_row(plans[i], s));
    store_view(state, view);
    height
}

fn store_view(state: &mut AppState, new: ListView) {
    if let Screen::Plans { view } | Screen::PlanDetail { view, .. } | Screen::Keys { view } = state.screen_mut() {
        *view = new;
    }
}

fn plan_row<'a>(p: &UsagePlan, s: &Styles) -> Row<'a> {
    let stages: Vec<String> = p.api_stages.iter().map(|st| format!("{}/{}", st.api_id, st.stage)).collect();
    Row::new(vec![
        Cell::from(Span::styled(one_line(&p.name, 40), s.accent)),
        Cell::from(Span::styled(one_line(&p.id, 12), s.muted)),
        Cell::from(throttle_text(&p.throttle)),
        Cell::from(quota_text(p)),
        Cell::from(one_line(&stages.join(", "), 80)),
        Cell::from(p.key_ids.len().to_string()),
        Cell::from(one_line(&p.region, 16)),
    ])
}

pub fn draw_detail(frame: &mut Frame, area: Rect, state: &mut AppState, s: &Styles) -> usize {
    let Screen::PlanDetail { plan, mut view } = state.screen().clone() else { return 0 };
    let Some(p) = state.plan(&plan).cloned() else {
        frame.render_widget(Paragraph::new("This plan is no longer listed (ctrl-r reloads)."), area);
        return 0;
    };
    let [info, rows, chart] =
        Layout::vertical([Constraint::Length(5), Constraint::Fill(1), Constraint::Length(12)]).areas(area);
    frame.render_widget(info_panel(&p, s), info);
    let items = state.plan_rows(&plan, &view.filter);
    let header = Row::new(["", "API / KEY", "STAGE / ID", "DETAIL"]);
    let widths = vec![Constraint::Length(6), Constraint::Fill(2), Constraint::Length(14), Constraint::Fill(3)];
    let title = format!(" {} API stages, {} keys — enter jumps to it ", p.api_stages.len(), p.key_ids.len());
    let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
    let height = table.render(frame, rows, &mut view, items.len(), s, |i| detail_row(state, &p, &items[i], s));
    let selected_key = match items.get(view.selected) {
        Some(PlanRow::Key(k)) => Some(k.clone()),
        _ => None,
    };
    draw_usage(frame, chart, state, &p, selected_key.as_deref(), s);
    store_view(state, view);
    height
}

fn info_panel<'a>(p: &UsagePlan, s: &Styles) -> Paragraph<'a> {
    let field =
        |k: &str, v: String| Line::from(vec![Span::styled(format!("{k:<12}"), s.muted), Span::styled(v, s.text)]);
    let overrides: usize = p.api_stages.iter().map(|st| st.throttle.len()).sum();
    Paragraph::new(vec![
        field("id", format!("{}   region {}", p.id, p.region)),
        field("description", one_line(p.description.as_deref().unwrap_or("-"), 100)),
        field(
            "limits",
            format!("throttle {}   quota {}   method overrides {overrides}", throttle_text(&p.throttle), quota_text(p)),
        ),
    ])
    .block(panel(format!(" plan {} ", one_line(&p.name, 40)), s, false))
}

fn detail_row<'a>(state: &AppState, p: &UsagePlan, row: &PlanRow, s: &Styles) -> Row<'a> {
    match row {
        PlanRow::Stage(i) => {
            let st = &p.api_stages[*i];
            let api = state.apis.loaded().and_then(|a| a.iter().find(|a| a.id == st.api_id)).map(|a| a.name.clone());
            let overrides: Vec<String> =
                st.throttle.iter().map(|(m, t)| format!("{m} {}", throttle_text(&Some(t.clone())))).collect();
            Row::new(vec![
                Cell::from(Span::styled("stage", s.accent)),
                Cell::from(one_line(&api.unwrap_or_else(|| st.api_id.clone()), 40)),
                Cell::from(one_line(&st.stage, 14)),
                Cell::from(one_line(
                    &if overrides.is_empty() { "no method overrides".into() } else { overrides.join("; ") },
                    100,
                )),
            ])
        }
        PlanRow::Key(id) => {
            let key = state.key(id);
            let name = key.map_or("(loading…)".to_string(), |k| k.name.clone());
            let detail = key.map_or(String::new(), |k| {
                format!(
                    "{} · {}",
                    k.customer_id.as_deref().unwrap_or("-"),
                    if k.enabled { "enabled" } else { "DISABLED" }
                )
            });
            Row::new(vec![
                Cell::from(Span::styled("key", s.tag)),
                Cell::from(one_line(&name, 40)),
                Cell::from(Span::styled(one_line(id, 14), s.muted)),
                Cell::from(one_line(&detail, 80)),
            ])
        }
    }
}

fn draw_usage(frame: &mut Frame, area: Rect, state: &AppState, p: &UsagePlan, key: Option<&str>, s: &Styles) {
    let whose = key.map_or("all keys".to_string(), |k| format!("key {k}"));
    let block = panel(format!(" requests per day, {whose} "), s, false);
    let loadable = state.usage.get(&p.id).cloned().unwrap_or_default();
    if let Loadable::Failed(e) = &loadable
        && e == crate::aws::plans::USAGE_UNAVAILABLE
    {
        // Not an error to retry: this endpoint (an emulator) has no usage data.
        frame.render_widget(Paragraph::new(Span::styled(e.clone(), s.muted)).block(block), area);
        return;
    }
    if let Some(msg) = placeholder(&loadable, "usage", s, state.tick) {
        frame.render_widget(msg.block(block), area);
        return;
    }
    let Loadable::Loaded(usage) = loadable else { return };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [bars, summary] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    // Each bar takes 6 columns: keep the newest days that fit.
    let fit = usize::from(bars.width / 6).max(1);
    frame.render_widget(usage_chart(&usage, key, s, fit), bars);
    frame.render_widget(quota_line(p, &usage, key, s), summary);
}

/// Requests per day as bars labelled `MM-DD`, the value on top.
pub fn usage_chart<'a>(usage: &Usage, key: Option<&str>, s: &Styles, max_bars: usize) -> BarChart<'a> {
    let mut days = match key {
        Some(k) => usage.keys.get(k).cloned().unwrap_or_default(),
        None => usage.totals(),
    };
    days.drain(..days.len().saturating_sub(max_bars));
    let bars: Vec<Bar> = days
        .iter()
        .map(|d| {
            let used = u64::try_from(d.used).unwrap_or(0);
            Bar::default().value(used).label(Line::from(d.date.get(5..).unwrap_or(&d.date).to_string())).style(s.accent)
        })
        .collect();
    BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(5)
        .bar_gap(1)
        .value_style(s.text)
        .label_style(s.muted)
}

/// Quota use in the current period: the fullest key (or the chosen one); warning colour over 80 %.
pub fn quota_line<'a>(p: &UsagePlan, usage: &Usage, key: Option<&str>, s: &Styles) -> Line<'a> {
    let Some(q) = &p.quota else { return Line::from(Span::styled("no quota on this plan", s.muted)) };
    let remaining = |k: &str| usage.keys.get(k).and_then(|d| d.last()).map(|d| d.remaining);
    let worst = match key {
        Some(k) => remaining(k).map(|r| (k.to_string(), r)),
        None => usage.keys.keys().filter_map(|k| remaining(k).map(|r| (k.clone(), r))).min_by_key(|(_, r)| *r),
    };
    let Some((k, left)) = worst else { return Line::from(Span::styled("no usage recorded in this period", s.muted)) };
    let used = i64::from(q.limit) - left;
    let pct = if q.limit > 0 { used as f64 * 100.0 / f64::from(q.limit) } else { 0.0 };
    let style = if pct > 80.0 { s.warning } else { s.success };
    let who = if key.is_some() { String::new() } else { format!(" (fullest key {k})") };
    Line::from(vec![
        Span::styled(format!("quota {} per {}: ", q.limit, q.period.to_lowercase()), s.muted),
        Span::styled(format!("{used} used, {left} remaining, {pct:.0}% used"), style),
        Span::styled(who, s.muted),
    ])
}
