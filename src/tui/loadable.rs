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
    Failed(String),
}

impl<T> Loadable<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Loadable::Loaded(t) => Some(t),
            _ => None,
        }
    }

    pub fn loaded_mut(&mut self) -> Option<&mut T> {
        match self {
            Loadable::Loaded(t) => Some(t),
            _ => None,
        }
    }

    pub fn is_loading(&self) -> bool {
        matches!(self, Loadable::Loading { .. })
    }

    /// Accept a result only for the request in flight.
    pub fn accept(&mut self, request: u64, result: Result<T, String>) -> bool {
        if !matches!(self, Loadable::Loading { request: r } if *r == request) {
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
}
