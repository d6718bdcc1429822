/// Data that arrives from the network.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Loadable<T> {
    #[default]
    NotLoaded,
    /// `request` is the id of the request in flight; older results are dropped.
    Loading {
        request: u64,
    },
    Loaded(T),
    /// Loading, with what was there before shown meanwhile: the last answer, or what the warm
    /// cache kept from the last run, saved at `saved_at` (RFC 3339; `None`: not from the
    /// cache). It reads as loaded and as loading; the answer replaces it.
    Refreshing {
        request: u64,
        stale: T,
        saved_at: Option<String>,
    },
    Failed(String),
}

impl<T> Loadable<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Loadable::Loaded(t) | Loadable::Refreshing { stale: t, .. } => Some(t),
            _ => None,
        }
    }

    pub fn loaded_mut(&mut self) -> Option<&mut T> {
        match self {
            Loadable::Loaded(t) | Loadable::Refreshing { stale: t, .. } => Some(t),
            _ => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Loadable::Loading { .. } | Loadable::Refreshing { .. })
    }

    /// Is `request` the one in flight (its answer is wanted)?
    pub fn waits_for(&self, request: u64) -> bool {
        self.request() == Some(request)
    }

    /// The request in flight, if any.
    fn request(&self) -> Option<u64> {
        match self {
            Loadable::Loading { request } | Loadable::Refreshing { request, .. } => Some(*request),
            _ => None,
        }
    }

    /// When what is shown while it refreshes was saved (the warm cache), if it is that.
    pub fn cached_at(&self) -> Option<&str> {
        match self {
            Loadable::Refreshing { saved_at, .. } => saved_at.as_deref(),
            _ => None,
        }
    }

    /// What was kept from the last run, shown while the request in flight is still out; false
    /// (and nothing changes) when that request is no longer the one in flight.
    pub fn show_cached(&mut self, request: u64, stale: T, saved_at: String) -> bool {
        if !matches!(self, Loadable::Loading { request: r } if *r == request) {
            return false;
        }
        *self = Loadable::Refreshing { request, stale, saved_at: Some(saved_at) };
        true
    }

    /// Accept a result only for the request in flight.
    pub fn accept(&mut self, request: u64, result: Result<T, String>) -> bool {
        if self.request() != Some(request) {
            return false;
        }
        *self = match result {
            Ok(t) => Loadable::Loaded(t),
            Err(e) => Loadable::Failed(e),
        };
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_results_are_dropped() {
        let mut l: Loadable<u32> = Loadable::Loading { request: 2 };
        assert!(!l.accept(1, Ok(5)));
        assert!(l.is_loading());
        assert!(l.accept(2, Ok(7)));
        assert_eq!(l.loaded(), Some(&7));
        assert!(!l.accept(2, Ok(9)), "a result after the load is stale too");
    }

    #[test]
    fn a_cached_value_shows_until_the_answer() {
        let mut l: Loadable<u32> = Loadable::Loading { request: 3 };
        assert!(!l.show_cached(2, 1, "then".into()), "not for an older request");
        assert!(l.show_cached(3, 1, "then".into()));
        assert_eq!((l.loaded(), l.is_loading(), l.cached_at()), (Some(&1), true, Some("then")));
        assert!(!l.show_cached(3, 4, "then".into()), "only once, over a plain load");
        assert!(l.accept(3, Ok(8)));
        assert_eq!((l.loaded(), l.is_loading(), l.cached_at()), (Some(&8), false, None));
        let mut l: Loadable<u32> = Loadable::Refreshing { request: 5, stale: 1, saved_at: Some("then".into()) };
        assert!(l.accept(5, Err("denied".into())));
        assert_eq!(l, Loadable::Failed("denied".into()), "a failure replaces the cached value too");
    }
}
