//! jq filters on a response body, with the jaq crates (jaq-core, jaq-std, jaq-json).

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;

/// Compile `filter` (to check it before anything is sent).
pub fn check(filter: &str) -> Result<(), String> {
    compile_and(filter, |_| Ok(()))
}

/// Every output of `filter` on the JSON `body`, each as pretty JSON.
pub fn run(filter: &str, body: &[u8]) -> Result<Vec<String>, String> {
    run_within(filter, body, usize::MAX, &std::sync::atomic::AtomicBool::new(false))
}

/// [`run`], stopping with an error once the outputs pass `max_bytes`, or once `stop` is set
/// (checked between outputs): the TUI runs filters off its thread and cancels them.
pub fn run_within(
    filter: &str,
    body: &[u8],
    max_bytes: usize,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<Vec<String>, String> {
    let input = jaq_json::read::parse_single(body).map_err(|e| format!("jq: the body is not JSON ({e})"))?;
    compile_and(filter, move |f| {
        let ctx = Ctx::<data::JustLut<Val>>::new(&f.lut, Vars::new([]));
        let (mut out, mut bytes) = (Vec::new(), 0usize);
        for r in f.id.run((ctx, input)).map(unwrap_valr) {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Err("jq: stopped".into());
            }
            let v = r.map_err(|e| format!("jq: {e}"))?;
            let text = v.to_string();
            let pretty = match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(j) => serde_json::to_string_pretty(&j).unwrap_or(text),
                Err(_) => text,
            };
            bytes = bytes.saturating_add(pretty.len());
            if bytes > max_bytes {
                return Err(format!(
                    "jq: the outputs pass {} MB after {} of them; narrow the filter",
                    max_bytes >> 20,
                    out.len()
                ));
            }
            out.push(pretty);
        }
        Ok(out)
    })
}

fn compile_and<T>(
    filter: &str,
    then: impl FnOnce(&jaq_core::compile::Filter<jaq_core::Native<data::JustLut<Val>>>) -> Result<T, String>,
) -> Result<T, String> {
    let defs = jaq_core::defs().chain(jaq_std::defs()).chain(jaq_json::defs());
    let funs = jaq_core::funs().chain(jaq_std::funs()).chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let program = File { code: filter, path: () };
    let modules = loader.load(&arena, program).map_err(|errs| {
        let what: Vec<String> = errs.iter().map(|(_, e)| format!("{e:?}")).collect();
        format!("jq: `{filter}` does not parse: {}", what.join("; "))
    })?;
    let compiled = Compiler::default().with_funs(funs).compile(modules).map_err(|errs| {
        let what: Vec<String> = errs.iter().flat_map(|(_, es)| es.iter().map(|(name, _)| name.to_string())).collect();
        format!("jq: `{filter}` names what is not defined: {}", what.join(", "))
    })?;
    then(&compiled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_run_and_errors_say_why() {
        let body = br#"{"items": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}"#;
        assert_eq!(run(".items[].id", body).unwrap(), ["1", "2"]);
        assert_eq!(run("[.items[] | select(.id > 1) | .name]", body).unwrap(), ["[\n  \"b\"\n]"]);
        assert_eq!(run(".items | length", body).unwrap(), ["2"]);
        assert!(check(".items[").unwrap_err().contains("does not parse"));
        assert!(check("nosuchfunction(1)").unwrap_err().contains("not defined"));
        assert!(run(".items.id", body).unwrap_err().starts_with("jq: "), "indexing an array with a name fails");
        assert!(run(".", b"<html>").unwrap_err().contains("not JSON"));
        // A filter without end stops at the limit, or when told to.
        let stop = std::sync::atomic::AtomicBool::new(false);
        let e = run_within("repeat(1)", b"1", 1 << 20, &stop).unwrap_err();
        assert!(e.contains("pass 1 MB") && e.contains("narrow the filter"), "{e}");
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(run_within("repeat(1)", b"1", usize::MAX, &stop).unwrap_err(), "jq: stopped");
    }
}
