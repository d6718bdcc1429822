//! One usage plan: its limits, its API stages and keys (enter jumps to either), and requests
//! per day as a chart (GetUsage), for the whole plan or the selected key.

use super::{load_plans, quota_text, throttle_text};
use crate::domain::{Usage, UsagePlan};
use crate::sanitize::one_line;
use crate::tui::action::{Action, Context};
use crate::tui::loadable::Loadable;
use crate::tui::screens::{Nav, Paint, Screen, Shared, Target};
use crate::tui::store::{ApiRef, Store};
use crate::tui::theme::Styles;
use crate::tui::widgets::list::{ListView, fuzzy_filter};
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Cell, Paragraph, Row};

/// One row of the plan detail screen.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanRow {
    /// Index into the plan's `api_stages`.
    Stage(usize),
    Key(String),
}

#[derive(Debug)]
pub struct PlanDetailScreen {
    pub plan: String,
    pub view: ListView,
    rows: Vec<PlanRow>,
    built: Option<(u64, u64)>,
    /// Requests per day (GetUsage), the plan's own.
    pub(super) usage: Loadable<Usage>,
}

impl PlanDetailScreen {
    /// The plan's screen; its usage loads (once the plan is listed).
    pub fn open(id: &str, sh: &mut Shared) -> Box<dyn Screen> {
        let mut screen = PlanDetailScreen {
            plan: id.to_string(),
            view: ListView::default(),
            rows: vec![],
            built: None,
            usage: Loadable::NotLoaded,
        };
        screen.sync(sh);
        Box::new(screen)
    }

    fn load_usage(&mut self, sh: &mut Shared) {
        let Some(plan) = sh.store.plan(&self.plan) else { return };
        let (plan, region, account) = (plan.id.clone(), plan.region.clone(), plan.account.id.clone());
        let request = crate::tui::jobs::start(sh, super::jobs::LoadUsage { plan, region, account });
        self.usage = Loadable::Loading { request };
    }

    pub fn rows(&self) -> &[PlanRow] {
        &self.rows
    }

    /// Its API stages, then its keys, after the filter.
    fn rebuild(&mut self, store: &Store) {
        self.rows = match store.plan(&self.plan) {
            Some(plan) => {
                let stages = plan
                    .api_stages
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (PlanRow::Stage(i), format!("{} {}", s.api_id, s.stage)));
                let keys = plan.key_ids.iter().map(|k| {
                    let name = store.key(k).map(|k| k.name.clone()).unwrap_or_default();
                    (PlanRow::Key(k.clone()), format!("{k} {name}"))
                });
                let rows: Vec<(PlanRow, String)> = stages.chain(keys).collect();
                fuzzy_filter(&self.view.filter, rows.iter().map(|(_, h)| h.as_str()))
                    .into_iter()
                    .map(|i| rows[i].0.clone())
                    .collect()
            }
            None => vec![],
        };
        self.view.clamp(self.rows.len());
    }

    /// A stage row jumps to its API in the catalog; a key row to the key on the keys screen.
    fn open_row(&self, sh: &mut Shared) -> Nav {
        match self.rows.get(self.view.selected) {
            Some(PlanRow::Stage(i)) => {
                let Some(st) = sh.store.plan(&self.plan).and_then(|p| p.api_stages.get(*i)).cloned() else {
                    return Nav::Stay;
                };
                match sh.store.api_by_id(&st.api_id).map(ApiRef::of) {
                    Some(api) => Nav::Go(Target::ApiInCatalog(api)),
                    None => {
                        let reload = sh.keys(Context::List, Action::Refresh);
                        sh.error(format!("API {} is not in the catalog ({reload} on :apis reloads it)", st.api_id));
                        Nav::Stay
                    }
                }
            }
            Some(PlanRow::Key(k)) => Nav::Go(Target::Keys { filter: k.clone() }),
            None => Nav::Stay,
        }
    }

    fn refresh(&mut self, sh: &mut Shared) {
        load_plans(sh);
        self.load_usage(sh);
    }
}

impl Screen for PlanDetailScreen {
    fn title(&self) -> String {
        "plan".into()
    }

    fn context(&self) -> Context {
        Context::Plans
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.view.apply(action, self.rows.len()) {
            return Nav::Stay;
        }
        match action {
            Action::Select => self.open_row(sh),
            Action::Refresh => {
                self.refresh(sh);
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        let g = (sh.store.generations.plans, sh.store.generations.keys);
        if self.built != Some(g) {
            self.built = Some(g);
            self.rebuild(&sh.store);
        }
        if matches!(self.usage, Loadable::NotLoaded) {
            self.load_usage(sh);
        }
        Nav::Stay
    }

    fn busy(&self) -> bool {
        self.usage.is_loading()
    }

    fn list(&mut self) -> Option<&mut ListView> {
        Some(&mut self.view)
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.view.filter)
    }

    fn filtered(&mut self, sh: &mut Shared) {
        self.rebuild(&sh.store);
    }

    fn selected_resource(&self, _store: &Store) -> Option<(String, String)> {
        match self.rows.get(self.view.selected) {
            Some(PlanRow::Key(k)) => Some((k.clone(), String::new())),
            _ => Some((self.plan.clone(), String::new())),
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let Some(plan) = p.store.plan(&self.plan) else {
            let reload = p.keys(Context::Plans, Action::Refresh);
            frame.render_widget(Paragraph::new(format!("This plan is no longer listed ({reload} reloads).")), area);
            return;
        };
        let [info, rows, chart] =
            Layout::vertical([Constraint::Length(5), Constraint::Fill(1), Constraint::Length(12)]).areas(area);
        frame.render_widget(info_panel(plan, s), info);
        let header = Row::new(["", "API / KEY", "STAGE / ID", "DETAIL"]);
        let widths = vec![Constraint::Length(6), Constraint::Fill(2), Constraint::Length(14), Constraint::Fill(3)];
        let jump = p.keys(Context::Plans, Action::Select);
        let title = format!(" {} API stages, {} keys — {jump} jumps to it ", plan.api_stages.len(), plan.key_ids.len());
        let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
        table.render(frame, rows, &self.view, self.rows.len(), s, |i| detail_row(p.store, plan, &self.rows[i], s));
        let selected_key = match self.rows.get(self.view.selected) {
            Some(PlanRow::Key(k)) => Some(k.as_str()),
            _ => None,
        };
        draw_usage(frame, chart, p, (plan, &self.usage), selected_key);
    }
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

fn detail_row<'a>(store: &Store, p: &UsagePlan, row: &PlanRow, s: &Styles) -> Row<'a> {
    match row {
        PlanRow::Stage(i) => {
            let st = &p.api_stages[*i];
            let api = store.api_by_id(&st.api_id).map(|a| a.name.clone());
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
            let key = store.key(id);
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

fn draw_usage(frame: &mut Frame, area: Rect, p: &Paint, of: (&UsagePlan, &Loadable<Usage>), key: Option<&str>) {
    let (plan, loadable) = of;
    let s = p.styles;
    let whose = key.map_or("all keys".to_string(), |k| format!("key {k}"));
    let block = panel(format!(" requests per day, {whose} "), s, false);
    if let Loadable::Failed(e) = loadable
        && e == crate::aws::plans::USAGE_UNAVAILABLE
    {
        // Not an error to retry: this endpoint (an emulator) has no usage data.
        frame.render_widget(Paragraph::new(Span::styled(e.clone(), s.muted)).block(block), area);
        return;
    }
    if let Some(msg) = placeholder(loadable, "usage", p) {
        frame.render_widget(msg.block(block), area);
        return;
    }
    let Some(usage) = loadable.loaded() else { return };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [chart, summary] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    let [axis, bars] = Layout::horizontal([Constraint::Length(AXIS), Constraint::Fill(1)]).areas(chart);
    // Each bar takes 6 columns: keep the newest days that fit.
    let fit = usize::from(bars.width / 6).max(1);
    let days = usage_days(usage, key, fit);
    let highest = days.iter().map(|d| u64::try_from(d.used).unwrap_or(0)).max().unwrap_or(0);
    // A key's daily quota is drawn as a line where it fits on the scale (at most twice the highest
    // day: above that it would flatten the bars, and it is said in the axis instead).
    let daily = plan.quota.as_ref().filter(|q| key.is_some() && q.period.eq_ignore_ascii_case("day"));
    let quota = daily.and_then(|q| u64::try_from(q.limit).ok()).filter(|l| *l > 0);
    let top = match quota {
        Some(l) if l <= highest.saturating_mul(2).max(1) => highest.max(l),
        _ => highest,
    };
    frame.render_widget(usage_chart(&days, s, top), bars);
    draw_axis(frame, (axis, bars), (top, quota), s);
    frame.render_widget(quota_line(plan, usage, key, s), summary);
}

/// The width of the chart's scale, at its left.
const AXIS: u16 = 10;

/// The scale: the highest value at the top, 0 at the bottom, and the daily quota as a line
/// across the bars where it is on the scale (named in the axis, else said to be above it).
fn draw_axis(frame: &mut Frame, (axis, bars): (Rect, Rect), (top, quota): (u64, Option<u64>), s: &Styles) {
    // The last row holds the bars' labels; the value rows are above it.
    let rows = axis.height.saturating_sub(1);
    if rows == 0 {
        return;
    }
    let at = |row: u16| Rect { y: axis.y + row, height: 1, ..axis };
    frame.render_widget(Paragraph::new(Span::styled(format!("{top:>8} ┤"), s.muted)), at(0));
    if rows > 1 {
        frame.render_widget(Paragraph::new(Span::styled(format!("{:>8} ┤", 0), s.muted)), at(rows - 1));
    }
    let Some(limit) = quota else { return };
    if limit > top {
        let above = if rows > 2 { 1 } else { 0 };
        frame.render_widget(Paragraph::new(Span::styled("quota ↑", s.warning)), at(above));
        return;
    }
    let row = ((top - limit) as f64 / top.max(1) as f64 * f64::from(rows - 1)).round() as u16;
    frame.render_widget(Paragraph::new(Span::styled(format!("quota {limit:>2}"), s.warning)), at(row));
    let line = "┈".repeat(usize::from(bars.width));
    frame.render_widget(Paragraph::new(Span::styled(line, s.warning)), Rect { y: axis.y + row, height: 1, ..bars });
}

/// The newest `max_bars` days of a key's usage (or every key's, added up).
pub fn usage_days(usage: &Usage, key: Option<&str>, max_bars: usize) -> Vec<crate::domain::DayUsage> {
    let mut days = match key {
        Some(k) => usage.keys.get(k).cloned().unwrap_or_default(),
        None => usage.totals(),
    };
    days.drain(..days.len().saturating_sub(max_bars));
    days
}

/// Requests per day as bars labelled `MM-DD`, the value on top, scaled to `top`.
pub fn usage_chart<'a>(days: &[crate::domain::DayUsage], s: &Styles, top: u64) -> BarChart<'a> {
    let bars: Vec<Bar> = days
        .iter()
        .map(|d| {
            let used = u64::try_from(d.used).unwrap_or(0);
            Bar::default().value(used).label(Line::from(d.date.get(5..).unwrap_or(&d.date).to_string())).style(s.accent)
        })
        .collect();
    BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .max(top.max(1))
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
