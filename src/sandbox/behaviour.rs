//! How a phone behaves in the sandbox: its requests delayed or faulty
//! ([`super::faults`]), its SMS delivered late, lost or failed. Set per
//! test phone in the config (`[[sandbox.test_phones]]`) or by a provider
//! state's params (kept in the shared state, so every instance applies
//! it, until the phone's teardown or a reset).
//!
//! A request is about a phone when it names one: RAO generate and
//! validate (the body's phone), telemarketing generate (`phoneNumber`
//! under `countryCode`) and validate (the phone a `sid` carries). RAO's
//! certified-phone names none: only `Prefer` reaches it.

use super::current::Current;
use crate::app::App;
use crate::config::TestPhoneEntry;
use crate::crypto::Digest;
use crate::phone::PhoneId;
use std::collections::HashMap;
use std::sync::Arc;

use super::misbehaviour::PhoneBehaviour;

impl PhoneBehaviour {
    /// A test phone's, as configured (checked when the config was read).
    pub(crate) fn of_entry(entry: &TestPhoneEntry) -> Result<Self, String> {
        let delay = entry.delay_ms.as_ref().map(ToString::to_string);
        Self::from_parts(
            delay.as_deref(),
            entry.fault.as_deref(),
            entry.sms.as_deref(),
            entry.sms_delay_ms,
        )
    }
}

/// The phones that behave in some way: the config's, then those set by
/// provider states (read from the shared state when it changed).
pub(crate) struct Behaviours {
    fixed: HashMap<Digest, PhoneBehaviour>,
    current: Arc<Current>,
}

impl Behaviours {
    /// The config's test phones that behave, by their digest (a national
    /// telemarketing number under each country a client may send from).
    pub(crate) fn new(app: &App, current: Arc<Current>) -> Self {
        let config = app.config();
        let mut countries: Vec<&str> = config
            .clients
            .iter()
            .flat_map(|c| c.access.iter().map(|a| a.country.as_str()))
            .collect();
        countries.sort_unstable();
        countries.dedup();
        let mut fixed = HashMap::new();
        for entry in &config.sandbox.test_phones {
            let Ok(behaviour) = PhoneBehaviour::of_entry(entry) else {
                continue;
            };
            if behaviour.is_default() {
                continue;
            }
            let phone = entry.phone.trim();
            let ids: Vec<PhoneId> = match phone.starts_with('+') {
                true => PhoneId::from_e164(phone).into_iter().collect(),
                false => countries
                    .iter()
                    .filter_map(|c| PhoneId::in_country(c, phone).ok())
                    .collect(),
            };
            for id in ids {
                fixed.insert(app.issuer().phone_digest(&id), behaviour);
            }
        }
        Self { fixed, current }
    }

    /// Whether no phone behaves in any special way.
    pub(crate) async fn none(&self) -> bool {
        self.fixed.is_empty() && self.current.behaviours().await.is_empty()
    }

    /// Whether a provider state set how `phone` behaves.
    pub(crate) async fn is_set(&self, phone: &Digest) -> bool {
        self.current.behaviours().await.contains_key(phone)
    }

    /// How `phone` (its digest) behaves, if in any special way.
    pub(crate) async fn of(&self, phone: &Digest) -> Option<PhoneBehaviour> {
        let set = self.current.behaviours().await;
        set.get(phone).or_else(|| self.fixed.get(phone)).copied()
    }
}
