//! The terminal UI: the event loop here; the router (app.rs), screens as components
//! (screens/), dialogs, the store, commands and messages, the keymap, themes, widgets.

pub mod action;
pub mod app;
mod chrome;
pub mod command;
pub mod context;
pub mod data;
pub mod dialogs;
pub mod jobs;
pub mod keymap;
pub mod loadable;
pub mod message;
pub mod prompt;
pub mod screens;
pub mod store;
pub mod terminal;
pub mod theme;
pub mod widgets;
pub mod worker;

use crate::config::Settings;
use app::App;
use command::Command;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use keymap::Keymap;
use message::Message;
use std::time::Duration;
use store::{Connection, Status, Store};
use theme::Styles;
use tokio::sync::mpsc;

/// Header facts from the settings and the standard AWS environment.
pub fn connection(settings: &Settings) -> Connection {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    Connection {
        profile: settings.profile.clone().or_else(|| env("AWS_PROFILE")).unwrap_or_else(|| "default".into()),
        regions: if settings.regions.is_empty() {
            env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")).unwrap_or_else(|| "(profile)".into())
        } else {
            settings.regions.join(",")
        },
        endpoint: settings.endpoint_url.clone(),
        read_only: settings.read_only,
        clipboard_clear_secs: settings.clipboard_clear_secs,
        audit_source: settings.audit_source.clone(),
        keep_catalog: screens::catalog::cache::path(settings).is_some(),
        partner_pool: settings.partner_pool.clone(),
        background_findings: settings.background_findings,
        accounts: settings.accounts.is_some(),
    }
}

/// Theme and keymap; a broken file falls back to the defaults with a visible warning.
pub fn load_look(settings: &Settings) -> (Styles, Keymap, Option<Status>) {
    let dir = settings.config_dir.clone();
    let mut warnings = Vec::new();
    let styles = theme::load(&settings.theme, dir.as_ref().map(|d| d.join("themes")).as_deref(), settings.no_color)
        .unwrap_or_else(|e| {
            warnings.push(first_line(&e.to_string()));
            let s = Styles::default();
            if settings.no_color { s.no_color() } else { s }
        });
    let keymap = Keymap::load(dir.as_ref().map(|d| d.join("keymap.toml")).as_deref()).unwrap_or_else(|e| {
        warnings.push(first_line(&e.to_string()));
        Keymap::default_map()
    });
    let status = (!warnings.is_empty()).then(|| Status::Error(format!("{} (using defaults)", warnings.join("; "))));
    (styles, keymap, status)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

pub async fn run(settings: Settings) -> i32 {
    let (styles, keymap, status) = load_look(&settings);
    let mut app = App::new(Store::new(connection(&settings)), keymap, styles);
    app.shared.status = status;
    let (tx, rx) = mpsc::unbounded_channel();
    // The catalog kept from the last run, shown before any AWS answer (not with --no-cache).
    let cached = screens::catalog::cache::path(&settings).and_then(|p| screens::catalog::cache::load(&p));
    let worker = worker::Worker::new(settings, tx.clone());
    let mut guard = match terminal::TerminalGuard::enter() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: cannot set up the terminal: {e}");
            return 1;
        }
    };
    let waker = tx.clone();
    app.shared.wake = Some(std::sync::Arc::new(move || {
        let _ = waker.send(Message::Tick);
    }));
    listen_for_signals(tx);
    app.start_cached(cached);
    let result = event_loop(&mut app, &worker, &mut guard.terminal, rx).await;
    if app.store().clipboard.pending {
        // The clear timer dies with the app: do not leave a key value on the clipboard.
        copy_to_clipboard(&crate::domain::Secret::new(""));
    }
    drop(guard);
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

fn listen_for_signals(tx: mpsc::UnboundedSender<Message>) {
    use tokio::signal::unix::{SignalKind, signal};
    for kind in [SignalKind::terminate(), SignalKind::hangup(), SignalKind::interrupt()] {
        let tx = tx.clone();
        if let Ok(mut s) = signal(kind) {
            tokio::spawn(async move {
                s.recv().await;
                let _ = tx.send(Message::Terminate);
            });
        }
    }
}

/// OSC 52: the terminal puts the text on the system clipboard (also over SSH).
fn copy_to_clipboard(value: &crate::domain::Secret) {
    use crossterm::clipboard::CopyToClipboard;
    let _ = crossterm::execute!(std::io::stdout(), CopyToClipboard::to_clipboard_from(value.expose().as_bytes()));
}

fn from_event(ev: Event) -> Option<Message> {
    match ev {
        Event::Key(k) => Some(Message::Key(k)),
        Event::Mouse(m) => Some(Message::Mouse(m)),
        Event::Resize(..) => Some(Message::Resize),
        _ => None,
    }
}

/// Wait for input, results and ticks; handle everything queued; draw once the queue is drained.
async fn event_loop(
    app: &mut App,
    worker: &worker::Worker,
    term: &mut terminal::Term,
    mut rx: mpsc::UnboundedReceiver<Message>,
) -> std::io::Result<()> {
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut dirty = true;
    // What is laid out to the width (the docs' wrapped lines) knows it before the first frame.
    app.shared.width = term.size().map(|s| s.width).unwrap_or_default();
    loop {
        for cmd in app.take_commands() {
            match cmd {
                Command::Clipboard(value) => copy_to_clipboard(&value),
                other => worker.execute(other),
            }
        }
        if dirty {
            term.draw(|f| app.draw(f))?;
        }
        if app.quit {
            return Ok(());
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => {
                    if let Event::Resize(width, _) = ev {
                        app.shared.width = width;
                    }
                    from_event(ev)
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            Some(m) = rx.recv() => Some(m),
            _ = tick.tick() => app.busy().then_some(Message::Tick),
        };
        dirty = msg.is_some();
        if let Some(m) = msg {
            app.handle(m);
        }
        while let Ok(m) = rx.try_recv() {
            app.handle(m);
            dirty = true;
        }
    }
}
