pub async fn run(_s: crate::config::Settings) -> i32 { 0 }
