//! What the server serves, shared between the builder and the connections: the last
//! build, or its errors, with a version number that changes on every rebuild.

use crate::site::Site;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};

pub struct State {
    pub version: u64,
    /// Shared with the next rebuild, which keeps the pages whose key is unchanged.
    pub site: Option<Arc<Site>>,
    /// The site's data files (the search index, the exports), made after its pages
    /// are served: `None` until they are ready.
    pub data: Option<BTreeMap<String, Arc<[u8]>>>,
    /// The page shown instead of every HTML page while the build has errors.
    pub errors: Option<String>,
}

/// The state and the signal of a new version.
pub type Shared = Arc<(Mutex<State>, Condvar)>;

pub fn shared() -> Shared {
    Arc::new((
        Mutex::new(State {
            version: 0,
            site: None,
            data: None,
            errors: None,
        }),
        Condvar::new(),
    ))
}
