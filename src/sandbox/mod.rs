//! The sandbox: a layer around the production core, present only with
//! `server.sandbox = true`, for consumers testing their clients.
//!
//! The core (flows, limits, stores, auth, the edge) knows nothing of it.
//! The layer adds, from the outside:
//!
//! - its shared state beside the store ([`state`]: the clock offset, the
//!   reset generation, per-phone epochs, the outbox), read once per request
//!   ([`current`]) by its front ([`front`]), which wraps the edge;
//! - its clock ([`clock`]): the app's one clock in a sandbox, so every
//!   rule — expiry, throttles, the lock, bearer tokens — follows it on
//!   every instance;
//! - a store decorator ([`store`]) that puts every key in the current
//!   namespace, so resets need nothing of the production store;
//! - the outbox ([`outbox`]): its SMS gateway, and the only one a sandbox
//!   may have (a sandbox config naming another refuses to start);
//! - forced errors ([`prefer`]), the consumer testing kit ([`kit`],
//!   [`states`]), the console ([`console`], [`events`]) and the web pages
//!   ([`pages`]), as routes of the server's one route table ([`routes`]).
//! - what the front tells the parts below it of each request ([`scope`]:
//!   its client, the fate of its SMS), faults and delays on demand
//!   ([`faults`], carried out at the connection through the accept loop's
//!   generic `server::Takeover`), phones that misbehave ([`behaviour`]),
//!   contract coverage per client ([`coverage`]) and the journal's masked
//!   bodies ([`journal`]).
//!
//! [`layer::Sandbox`] holds one instance's layer.

pub(crate) mod behaviour;
pub(crate) mod clock;
pub(crate) mod console;
pub mod coverage;
pub mod current;
pub(crate) mod events;
pub(crate) mod faults;
pub(crate) mod front;
pub(crate) mod guard;
pub(crate) mod journal;
pub(crate) mod kit;
pub(crate) mod layer;
pub(crate) mod misbehaviour;
pub(crate) mod outbox;
pub(crate) mod pages;
pub(crate) mod prefer;
pub(crate) mod routes;
pub(crate) mod scope;
pub mod state;
pub(crate) mod states;
pub mod store;
mod test_phones;
