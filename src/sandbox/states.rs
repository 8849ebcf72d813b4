//! Pact provider states: `POST /sandbox/v1/provider-states` with
//! `{"state", "params", "action"}`, as the Pact verifier's
//! `--state-change-url` sends it (one call per state and interaction;
//! `action` `setup` or `teardown`). Setup makes the state through the real
//! flows and answers the values a pact injects with `fromProviderState`
//! (flat keys; always with an `accessToken` for the client), teardown
//! forgets the phone's state and answers `{}`. The empty state (an
//! interaction without one) only gets its `accessToken`.

use super::kit::{answer, body, phone_id, reset_phone, unavailable};
use super::layer::Sandbox;
use super::misbehaviour::{PhoneBehaviour, MAX_SMS_DELAY_MS};
use super::scope::{self, Scope};
use crate::app::App;
use crate::config::Client;
use crate::crypto::hex;
use crate::error::ApiError;
use crate::otp::{Making, OtpError, TelemarketingRequest, FAILURE_WINDOW};
use crate::phone::{Phone, PhoneId};
use crate::server::response::Body;
use crate::store::{Attempt, Candidate, Challenge, Lock, OnMatch, Sending};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// The states, by their exact names (the README's "Testing your client against otp-server").
pub(crate) const STATES: [&str; 8] = [
    RAO_SENT,
    RAO_EXPIRED,
    RAO_CERTIFIED,
    TM_SENT,
    TM_EXPIRED,
    LOCKED,
    JUST_SENT,
    FAULTY,
];
/// The defaults of a state's parameters, so a pact whose states carry no
/// params still verifies: the README's phone, session and customer.
const DEFAULT_PHONE: &str = "5512345678";
const RAO_SENT: &str = "a RAO OTP was sent";
const RAO_EXPIRED: &str = "a RAO OTP has expired";
const RAO_CERTIFIED: &str = "a RAO phone is certified";
const TM_SENT: &str = "a telemarketing OTP was sent";
const TM_EXPIRED: &str = "a telemarketing OTP has expired";
const LOCKED: &str = "the phone is locked";
const JUST_SENT: &str = "the phone was just sent an OTP";
/// Only the phone's behaviour (the params `fault`, `delayMs`, `sms`,
/// `smsDelayMs`, which any state with a phone takes too).
const FAULTY: &str = "the phone has faults";
/// The params that set how the state's phone behaves.
const BEHAVIOUR_PARAMS: [(&str, &str); 4] = [
    ("fault", "fault"),
    ("delayMs", "delayMs"),
    ("sms", "sms"),
    ("smsDelayMs", "smsDelayMs"),
];

/// What the verifier sends.
#[derive(Deserialize)]
struct StateChange {
    state: String,
    #[serde(default)]
    params: Map<String, Value>,
    action: Option<String>,
}

/// A state's parameters, as text.
struct Params<'a>(&'a Map<String, Value>);

impl Params<'_> {
    fn get(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    fn or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or_else(|| default.to_owned())
    }
}

/// `POST /sandbox/v1/provider-states`.
pub(crate) async fn provider_state(
    app: &App,
    sandbox: &Sandbox,
    req: Request<Incoming>,
    uuid: Option<&str>,
) -> Response<Body> {
    let result = async {
        let change: StateChange = body(req)
            .await?
            .ok_or_else(|| ApiError::invalid("body", "Send {\"state\", \"params\", \"action\"}"))?;
        change_state(app, sandbox, &change).await
    }
    .await;
    answer(app, result, uuid)
}

async fn change_state(
    app: &App,
    sandbox: &Sandbox,
    change: &StateChange,
) -> Result<Value, ApiError> {
    let params = Params(&change.params);
    let client_id = params.or("client_id", "sandbox");
    let client = app
        .config()
        .clients
        .get(&client_id)
        .cloned()
        .ok_or_else(|| {
            ApiError::invalid(
                "params.client_id",
                format!("No client {client_id} in this sandbox"),
            )
        })?;
    let state = change.state.as_str();
    if !state.is_empty() && !STATES.contains(&state) {
        let known = STATES.map(|s| format!("{s:?}")).join(", ");
        return Err(ApiError::invalid(
            "state",
            format!("Unknown provider state {state:?}; the states are: {known}"),
        ));
    }
    let values = match change.action.as_deref().unwrap_or("setup") {
        "setup" => {
            let behaviour = behave(app, sandbox, state, &params).await?;
            let epoch = sandbox
                .current()
                .client_epoch(&client.id)
                .await
                .map_err(|e| unavailable(&e))?;
            let scope = Scope::new(Some((client.id.clone(), epoch)));
            scope::within(scope, async {
                scope::set_sms(&behaviour);
                setup(app, sandbox, &client, state, &params).await
            })
            .await?
        }
        "teardown" => {
            return teardown(app, sandbox, &client, state, &params)
                .await
                .map(|()| json!({}))
        }
        other => {
            return Err(ApiError::invalid(
                "action",
                format!("action {other:?}: use \"setup\" or \"teardown\""),
            ))
        }
    };
    Ok(with_token(app, &client, values))
}

/// The values, with a fresh bearer token for the client.
fn with_token(app: &App, client: &Client, mut values: Value) -> Value {
    if let Value::Object(map) = &mut values {
        map.insert(
            "accessToken".into(),
            Value::from(app.tokens().issue(&client.id)),
        );
    }
    values
}

/// Sets how the state's phone behaves, when its params say (or for
/// [`FAULTY`]): what its SMS do from now on, the state's own included.
async fn behave(
    app: &App,
    sandbox: &Sandbox,
    state: &str,
    params: &Params<'_>,
) -> Result<PhoneBehaviour, ApiError> {
    let given: Map<String, Value> = BEHAVIOUR_PARAMS
        .iter()
        .filter_map(|(param, field)| Some((field.to_string(), params.0.get(*param)?.clone())))
        .collect();
    if given.is_empty() && state != FAULTY {
        return Ok(PhoneBehaviour::default());
    }
    let behaviour: PhoneBehaviour = serde_json::from_value(Value::Object(given))
        .map_err(|e| ApiError::invalid("params", format!("params: {e}")))?;
    if behaviour.sms_delay_ms > MAX_SMS_DELAY_MS {
        return Err(ApiError::invalid(
            "params.smsDelayMs",
            format!("params.smsDelayMs: at most {MAX_SMS_DELAY_MS} (a day)"),
        ));
    }
    let id = match state {
        RAO_SENT | RAO_EXPIRED | RAO_CERTIFIED => rao_phone(params)?.0.id,
        TM_SENT | TM_EXPIRED => {
            let number = params.or("phoneNumber", DEFAULT_PHONE);
            phone_id(
                &number,
                Some(&params.or("countryCode", "MX")),
                "params.phoneNumber",
            )?
        }
        _ => state_phone(params)?,
    };
    let digest = app.issuer().phone_digest(&id);
    let json =
        (!behaviour.is_default()).then(|| serde_json::to_string(&behaviour).unwrap_or_default());
    let generation = sandbox.view().generation;
    let current = sandbox.current();
    let set = current
        .state()
        .set_behaviour(generation, &digest, json.as_deref());
    set.await.map_err(|e| unavailable(&e))?;
    current.refresh().await;
    Ok(behaviour)
}

async fn setup(
    app: &App,
    sandbox: &Sandbox,
    client: &Arc<Client>,
    state: &str,
    params: &Params<'_>,
) -> Result<Value, ApiError> {
    match state {
        "" => Ok(json!({})),
        RAO_SENT | RAO_EXPIRED => rao_sent(app, client, params, state == RAO_EXPIRED).await,
        RAO_CERTIFIED => rao_certified(app, client, params).await,
        TM_SENT | TM_EXPIRED => tm_sent(app, client, params, state == TM_EXPIRED).await,
        LOCKED => locked(app, sandbox, client, params).await,
        FAULTY => {
            let id = state_phone(params)?;
            Ok(json!({"phone": id.e164()}))
        }
        _ => just_sent(app, client, params).await,
    }
}

/// A RAO state's phone and `sid`.
fn rao_phone(params: &Params<'_>) -> Result<(Phone, String), ApiError> {
    let number = params.or("phoneNumber", DEFAULT_PHONE);
    let country_code = params.or("phoneCountryCode", "+52");
    let phone = Phone::new(&country_code, &number)
        .map_err(|e| ApiError::invalid("params.phoneNumber", format!("params.phoneNumber: {e}")))?;
    Ok((phone, params.or("sid", "pact-session")))
}

/// A failure of the real flow while making a state.
fn failed(error: OtpError) -> ApiError {
    match error {
        OtpError::Throttled { .. } | OtpError::Locked { .. } => ApiError::invalid(
            "state",
            format!("The state cannot be made: {error}; tear down the phone's state (or reset it) first"),
        ),
        other => {
            tracing::error!(cause = %other, "sandbox: a provider state failed");
            ApiError::unavailable()
        }
    }
}

fn encrypt(client: &Client, text: &str) -> Result<String, ApiError> {
    client.cipher.encrypt(text).map_err(|e| {
        tracing::error!(cause = %e, "sandbox: cannot encrypt a provider state's value");
        ApiError::unavailable()
    })
}

async fn rao_sent(
    app: &App,
    client: &Client,
    params: &Params<'_>,
    expired: bool,
) -> Result<Value, ApiError> {
    let (phone, sid) = rao_phone(params)?;
    let making = Making {
        unthrottled: true,
        expired,
        request: None,
    };
    let otp = app
        .rao()
        .make(client, &sid, &phone, making)
        .await
        .map_err(failed)?;
    Ok(json!({
        "sid": sid,
        "phoneCountryCode": phone.country_code,
        "phoneNumber": phone.number,
        "otp": otp,
        "encryptedOtpToken": encrypt(client, &otp)?,
        "encryptedPhoneNumber": encrypt(client, &phone.number)?,
    }))
}

async fn rao_certified(app: &App, client: &Client, params: &Params<'_>) -> Result<Value, ApiError> {
    let (phone, sid) = rao_phone(params)?;
    let otp = app.rao().make(
        client,
        &sid,
        &phone,
        Making {
            unthrottled: true,
            ..Making::default()
        },
    );
    let otp = otp.await.map_err(failed)?;
    app.rao()
        .check(client, &sid, &phone, &otp, None)
        .await
        .map_err(failed)?;
    Ok(json!({
        "sid": sid,
        "phoneCountryCode": phone.country_code,
        "phoneNumber": phone.number,
        "encryptedPhoneNumber": encrypt(client, &phone.number)?,
    }))
}

async fn tm_sent(
    app: &App,
    client: &Client,
    params: &Params<'_>,
    expired: bool,
) -> Result<Value, ApiError> {
    let (number, customer, country) = (
        params.or("phoneNumber", DEFAULT_PHONE),
        params.or("customerId", "pact-customer"),
        params.or("countryCode", "MX"),
    );
    let request = TelemarketingRequest {
        customer_id: &customer,
        phone_number: &number,
        country: &country,
        message_prefix: "Citi Identification Code Service",
        message_suffix: None,
        request: None,
    };
    let making = Making {
        unthrottled: true,
        expired,
        request: None,
    };
    let made = app.telemarketing().make(client, &request, making).await;
    let (session, otp) = made.map_err(failed)?;
    Ok(json!({
        "sid": session.sid,
        "otp": otp,
        "oneTimePasswordToken": session.prefix,
        "customerId": customer,
        "phoneNumber": number,
    }))
}

/// The identity of a `the phone is …` state's phone: RAO when it has a
/// `phoneCountryCode`, else telemarketing under `countryCode` (default MX).
fn state_phone(params: &Params<'_>) -> Result<PhoneId, ApiError> {
    if params.get("phoneCountryCode").is_some() {
        return Ok(rao_phone(params)?.0.id);
    }
    let number = params.or("phoneNumber", DEFAULT_PHONE);
    let country = params.get("countryCode");
    phone_id(&number, country.as_deref(), "params.phoneNumber")
}

/// `the phone is locked`: the client's hourly failure limit reached, by
/// the store's own steps — a throwaway challenge for the phone, failed
/// until the lock holds, then withdrawn.
async fn locked(
    app: &App,
    sandbox: &Sandbox,
    client: &Client,
    params: &Params<'_>,
) -> Result<Value, ApiError> {
    let id = state_phone(params)?;
    let phone = app.issuer().phone_digest(&id);
    let lock = Lock {
        max_failures: client.policy.max_failures_per_phone_hour,
        window: FAILURE_WINDOW,
    };
    let store = sandbox.store();
    let key = format!("lock:{{{}}}:state", hex(&phone));
    let now = app.clock().now();
    let challenge = Challenge {
        code: [0; 16],
        binding: [0; 16],
        expires_at: now + 60_000,
        attempts_left: lock.max_failures + 1,
    };
    let send = Sending {
        phone: &phone,
        limits: None,
        session: None,
        request: None,
    };
    let keep = Duration::from_secs(60);
    let issued = store.issue(send, &key, &challenge, keep, now).await;
    issued.map_err(|e| unavailable(&e))?;
    let wrong = Candidate {
        code: [1; 16],
        binding: [0; 16],
        mismatch_counts: false,
        request: None,
    };
    for _ in 0..lock.max_failures {
        let attempt = store.attempt(&phone, &key, &wrong, &lock, OnMatch::Consume, now);
        match attempt.await.map_err(|e| unavailable(&e))? {
            Attempt::Wrong { .. } => {}
            _ => break,
        }
    }
    store
        .withdraw(&phone, &key)
        .await
        .map_err(|e| unavailable(&e))?;
    Ok(json!({"retryAfterSeconds": FAILURE_WINDOW.as_secs()}))
}

async fn just_sent(app: &App, client: &Client, params: &Params<'_>) -> Result<Value, ApiError> {
    let made = match params.get("phoneCountryCode") {
        Some(_) => {
            let (phone, sid) = rao_phone(params)?;
            if app.config().test_phones.rao(&phone.id).is_some() {
                return Err(never_throttled());
            }
            app.rao()
                .make(client, &sid, &phone, Making::default())
                .await
                .map(drop)
        }
        None => {
            let (number, country) = (
                params.or("phoneNumber", DEFAULT_PHONE),
                params.or("countryCode", "MX"),
            );
            let request = TelemarketingRequest {
                customer_id: &params.or("customerId", "pact-customer"),
                phone_number: &number,
                country: &country,
                message_prefix: "Citi Identification Code Service",
                message_suffix: None,
                request: None,
            };
            let id = phone_id(&number, Some(&country), "params.phoneNumber")?;
            if app.config().test_phones.telemarketing(&id).is_some() {
                return Err(never_throttled());
            }
            app.telemarketing()
                .make(client, &request, Making::default())
                .await
                .map(drop)
        }
    };
    let retry_after = match made {
        Ok(()) => client.policy.min_send_interval_secs,
        Err(OtpError::Throttled { retry_after, .. }) => retry_after.as_secs().max(1),
        Err(other) => return Err(failed(other)),
    };
    Ok(json!({"retryAfterSeconds": retry_after}))
}

fn never_throttled() -> ApiError {
    ApiError::invalid(
        "params.phoneNumber",
        "A test phone is never throttled: use another phone for this state",
    )
}

/// Forgets what setup made: the phone's counters, challenges and messages,
/// and for RAO the session's certified phone.
async fn teardown(
    app: &App,
    sandbox: &Sandbox,
    client: &Client,
    state: &str,
    params: &Params<'_>,
) -> Result<(), ApiError> {
    if state.is_empty() {
        return Ok(());
    }
    let id = match state {
        RAO_SENT | RAO_EXPIRED | RAO_CERTIFIED => {
            let (phone, sid) = rao_phone(params)?;
            forget_session(app, sandbox, client, &phone, &sid).await?;
            phone.id
        }
        _ => state_phone(params)?,
    };
    reset_phone(app, sandbox, &id).await
}

/// Forgets a RAO session's challenge and certified phone by the store's
/// own step for it: a new challenge on the session (which replaces the
/// earlier one and clears the certified phone), withdrawn at once.
async fn forget_session(
    app: &App,
    sandbox: &Sandbox,
    client: &Client,
    phone: &Phone,
    sid: &str,
) -> Result<(), ApiError> {
    let digest = app.issuer().phone_digest(&phone.id);
    let session = app.rao().session_key(client, sid);
    let key = format!("teardown:{{{}}}:{session}", hex(&digest));
    let now = app.clock().now();
    let challenge = Challenge {
        code: [0; 16],
        binding: [0; 16],
        expires_at: now,
        attempts_left: 0,
    };
    let send = Sending {
        phone: &digest,
        limits: None,
        session: Some(&session),
        request: None,
    };
    let store = sandbox.store();
    let keep = Duration::from_secs(1);
    let issued = store.issue(send, &key, &challenge, keep, now).await;
    issued.map_err(|e| unavailable(&e))?;
    let withdrawn = store.withdraw(&digest, &key).await;
    withdrawn.map_err(|e| unavailable(&e))
}
