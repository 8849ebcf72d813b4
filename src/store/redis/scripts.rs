//! The Lua scripts of the Redis store: one per atomic step.
//!
//! **Layout.** Everything one phone has is one string key, `P` and the
//! first 12 bytes of the phone's digest: its failures (`fails` since
//! `since`), its send times, the mark of its last request, and its live
//! challenges, each under a short id (see `steps.rs`). So a phone's lock
//! check, attempt, comparison and counts are one script on one key, on one
//! node or on a cluster, with no hash tag to keep in step. A RAO session is
//! a second string key, `S` and its 16-byte digest: while a challenge is
//! live, the 12 bytes naming its phone's key; once validated, the
//! certified phone (`v<until>:<country code>:<number>`). That makes a live
//! RAO challenge two keys and about 380 bytes of Redis memory, where one
//! hash per challenge, phone, session and send set made four keys and a
//! kilobyte: Redis spends about 140 bytes on each key before its value.
//!
//! The record is packed with Redis's `struct` library (big-endian):
//!
//! ```text
//! flags B          1 failures present, 2 mark present, 4 mark uncertain,
//!                  8 mark matched, 16 mark wrong (else: sent)
//! [fails I2 since I6]              when flags & 1
//! sends I2, each I6                send times, oldest first
//! [request c8 [left I2]]           when flags & 2; left when flags & 16
//! challenges I2, each: id (B length, then bytes) code c16 binding c8
//!                  exp I6 (app clock) keep I6 (Redis clock) left I2 res I2
//! ```
//!
//! A phone keeps at most 256 live challenges (the record is read and
//! written whole by each step): send limits keep a phone far below that,
//! and past it a phone whose sends carry no limits (`Sending::limits` is
//! `None`) forgets the challenge kept the shortest (the memory store has
//! no such bound).
//!
//! Deadlines a rule reads (expiry, lock and send windows) are compared
//! with the caller's `now`, so the app's clock decides. When a challenge
//! stops being kept is Redis's own time (`TIME`), as a key's PEXPIRE was:
//! a lapsed challenge is dropped as its record is read, and the record's
//! PEXPIRE covers the longest thing it keeps.

use redis::Script;
use std::sync::LazyLock;

/// Shared helpers: the record's codec, its failures, and the session
/// pointer's codec.
const PRELUDE: &str = r"
local MAX_LIVE = 256
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function load(key, real, raw)
  local r = {key = key, fails = 0, since = 0, sends = {}, ch = {}, want = 1}
  if raw == nil then raw = redis.call('GET', key) end
  if not raw then return r end
  local flags, pos = struct.unpack('>B', raw)
  if bit.band(flags, 1) ~= 0 then r.fails, r.since, pos = struct.unpack('>I2I6', raw, pos) end
  local n
  n, pos = struct.unpack('>I2', raw, pos)
  for i = 1, n do r.sends[i], pos = struct.unpack('>I6', raw, pos) end
  if bit.band(flags, 2) ~= 0 then
    r.mark, pos = struct.unpack('>c8', raw, pos)
    r.uncertain = bit.band(flags, 4) ~= 0
    if bit.band(flags, 8) ~= 0 then
      r.outcome = 'matched'
    elseif bit.band(flags, 16) ~= 0 then
      r.outcome = 'wrong'
      r.left, pos = struct.unpack('>I2', raw, pos)
    else
      r.outcome = 'sent'
    end
  end
  n, pos = struct.unpack('>I2', raw, pos)
  for _ = 1, n do
    local c = {}
    c.id, c.code, c.bind, c.exp, c.keep, c.left, c.res, pos =
      struct.unpack('>Bc0c16c8I6I6I2I2', raw, pos)
    if c.keep > real then r.ch[#r.ch + 1] = c end
  end
  return r
end
local function want(r, ms)
  if ms > r.want then r.want = ms end
end
local function save(r)
  local live = r.fails > 0 or r.mark or #r.sends > 0 or #r.ch > 0
  if not live then
    redis.call('DEL', r.key)
    return
  end
  local flags = 0
  if r.fails > 0 then flags = flags + 1 end
  if r.mark then
    flags = flags + 2
    if r.uncertain then flags = flags + 4 end
    if r.outcome == 'matched' then flags = flags + 8 elseif r.outcome == 'wrong' then flags = flags + 16 end
  end
  local out = {struct.pack('>B', flags)}
  if r.fails > 0 then out[#out + 1] = struct.pack('>I2I6', math.min(r.fails, 65535), r.since) end
  -- Counts are two bytes: past 65,535 sends (a window no policy would
  -- allow) the oldest are forgotten.
  local first = math.max(1, #r.sends - 65534)
  out[#out + 1] = struct.pack('>I2', #r.sends - first + 1)
  for i = first, #r.sends do out[#out + 1] = struct.pack('>I6', r.sends[i]) end
  if r.mark then
    out[#out + 1] = r.mark
    if r.outcome == 'wrong' then out[#out + 1] = struct.pack('>I2', math.min(r.left, 65535)) end
  end
  out[#out + 1] = struct.pack('>I2', #r.ch)
  for _, c in ipairs(r.ch) do
    out[#out + 1] = struct.pack('>Bc0c16c8I6I6I2I2', #c.id, c.id, c.code, c.bind, c.exp, c.keep,
      math.min(c.left, 65535), math.min(c.res, 65535))
  end
  local ttl = math.max(redis.call('PTTL', r.key), r.want)
  redis.call('SET', r.key, table.concat(out), 'PX', ttl)
end
local function find(r, id)
  for i, c in ipairs(r.ch) do
    if c.id == id then return c, i end
  end
end
local function drop(r, id)
  local _, i = find(r, id)
  if i then table.remove(r.ch, i) end
  return i ~= nil
end
local function failures(r, now, window)
  if r.since + window <= now then return 0, r.since end
  return r.fails, r.since
end
local function fail(r, now, window)
  local n, since = failures(r, now, window)
  if n == 0 then
    r.fails, r.since = 1, now
    want(r, window)
  else
    r.fails = n + 1
    want(r, since + window - now)
  end
end
local function remember(r, request, outcome, left, ms)
  if request == '' then return end
  r.mark, r.outcome, r.left, r.uncertain = request, outcome, left, false
  want(r, ms)
end
-- A session's value: its challenge's phone (12 bytes; the challenge's id
-- is the one the session's own key implies), 'c', that phone and the id,
-- or 'v' and the certified phone.
local function pointer(value, implied)
  if not value then return nil end
  if #value == 12 then return value, implied end
  if string.sub(value, 1, 1) == 'c' then return string.sub(value, 2, 13), string.sub(value, 14) end
  return nil
end
local function point(phone, id, implied)
  if id == implied then return phone end
  return 'c' .. phone .. id
end
";

fn script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{body}"))
}

/// KEYS: phone[, session]. ARGV: now, limited (0|1), window, interval,
/// max sends, max failures, lock window, challenge id, code, binding, exp,
/// attempts, keep ms, request ('' none), the phone's 12 bytes, the id the
/// session's key implies, the prefix of phone keys.
/// Refuses the send or counts it, then (re)places the challenge; with a
/// session, the session's earlier challenge (on any phone) goes and its
/// certified phone is cleared. The phone remembers the request of its
/// last step; a retry of it whose first answer was lost (marked uncertain,
/// see [`UNCERTAIN`]) is not refused as too soon.
pub(crate) static ISSUE: LazyLock<Script> =
    LazyLock::new(|| Script::new(&format!("{ISSUE_HEAD}{ISSUE_FIRST}{PRELUDE}{ISSUE_BODY}")));

/// ISSUE's start: Redis's time and the phone's record, read before the
/// prelude so that [`ISSUE_FIRST`] can answer without it.
const ISSUE_HEAD: &str = r"
local t = redis.call('TIME')
local real = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local raw = redis.call('GET', KEYS[1])
";

/// ISSUE for a phone with no record and a RAO session (if any) with no
/// challenge: the commonest generate (a phone has no record until its
/// first send, and none again once its windows and challenges have
/// lapsed; a telemarketing generate has no session key, a RAO one a new
/// session). What [`ISSUE_BODY`] would write for it, packed at once,
/// without the prelude's closures and the record's tables: a third less
/// work inside Redis (81 k instructions where the general path takes
/// 122 k, counted by callgrind in `redis-server`). A test holds the two to
/// the same bytes, TTL and reply over generated inputs. Limits that would
/// refuse even a first send (no sends or no failures allowed; the config
/// refuses both) are left to the general path.
const ISSUE_FIRST: &str = r"
if not raw and (ARGV[2] ~= '1' or (tonumber(ARGV[5]) > 0 and tonumber(ARGV[6]) > 0))
  and not (KEYS[2] and redis.call('GET', KEYS[2])) then
  local ms, request, id = tonumber(ARGV[13]), ARGV[14], ARGV[8]
  if KEYS[2] then
    local at = ARGV[15]
    if id ~= ARGV[16] then at = 'c' .. at .. id end
    redis.call('SET', KEYS[2], at, 'PX', ms)
  end
  local flags, keep, sends = 0, math.max(1, ms), struct.pack('>I2', 0)
  if ARGV[2] == '1' then
    sends = struct.pack('>I2I6', 1, tonumber(ARGV[1]))
    keep = math.max(keep, tonumber(ARGV[3]))
  end
  if request ~= '' then flags = 2 end
  redis.call('SET', KEYS[1], struct.pack('>B', flags) .. sends .. request ..
    struct.pack('>I2Bc0c16c8I6I6I2I2', 1, #id, id, ARGV[9], ARGV[10], tonumber(ARGV[11]), real + ms,
      math.min(tonumber(ARGV[12]), 65535), 0), 'PX', keep)
  return {'ok'}
end
";

/// ISSUE for any record: the general path.
const ISSUE_BODY: &str = r"
local now = tonumber(ARGV[1])
local r = load(KEYS[1], real, raw)
local request = ARGV[14]
if ARGV[2] == '1' then
  local window, interval, lockw = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[7])
  local n, since = failures(r, now, lockw)
  if n >= tonumber(ARGV[6]) then return {'fails', since + lockw - now} end
  local kept = {}
  for _, t in ipairs(r.sends) do
    if t > now - window then kept[#kept + 1] = t end
  end
  r.sends = kept
  local retry = request ~= '' and r.mark == request and r.uncertain
  local last = r.sends[#r.sends]
  if not retry and last and last + interval > now then
    return {'soon', last + interval - now}
  end
  if #r.sends >= tonumber(ARGV[5]) then
    return {'many', r.sends[1] + window - now}
  end
  local at = #r.sends + 1
  while at > 1 and r.sends[at - 1] > now do at = at - 1 end
  table.insert(r.sends, at, now)
  want(r, window)
end
local ms, id = tonumber(ARGV[13]), ARGV[8]
-- A step that runs ends any earlier mark: a lost answer waives the
-- interval for one retry, not for every later copy of that request.
remember(r, request, 'sent', 0, ms)
want(r, ms)
if KEYS[2] then
  local phone = ARGV[15]
  local was, old = pointer(redis.call('GET', KEYS[2]), ARGV[16])
  if was == phone then
    drop(r, old)
  elseif was then
    local other = load(ARGV[17] .. was, real)
    if drop(other, old) then save(other) end
  end
  redis.call('SET', KEYS[2], point(phone, id, ARGV[16]), 'PX', ms)
end
drop(r, id)
r.ch[#r.ch + 1] = {id = id, code = ARGV[9], bind = ARGV[10], exp = tonumber(ARGV[11]),
  keep = real + ms, left = tonumber(ARGV[12]), res = 0}
-- A record is read and written whole by every step, so it stays small:
-- past MAX_LIVE live challenges the one kept the shortest goes. Send
-- limits keep a phone far below that; only sends without limits can
-- reach it.
while #r.ch > MAX_LIVE do
  local oldest = 1
  for i, c in ipairs(r.ch) do
    if c.keep < r.ch[oldest].keep then oldest = i end
  end
  table.remove(r.ch, oldest)
end
save(r)
return {'ok'}
";

/// KEYS: session. ARGV: the phone's 12 bytes, the challenge id, the id the
/// session's key implies, keep ms. The cluster's half of a RAO issue: the
/// session now points at the new challenge (its certified phone cleared);
/// the earlier challenge's phone and id, for the caller to withdraw on its
/// own slot, or nothing.
pub(crate) static SWAP_SESSION: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local was, old = pointer(redis.call('GET', KEYS[1]), ARGV[3])
redis.call('SET', KEYS[1], point(ARGV[1], ARGV[2], ARGV[3]), 'PX', tonumber(ARGV[4]))
if was and not (was == ARGV[1] and old == ARGV[2]) then return {was, old} end
return {}
",
    )
});

/// KEYS: phone[, session]. ARGV: challenge id, code, binding, mismatch
/// counts (0|1), mode (consume|certify|reserve), now, max failures, lock
/// window, the certified phone's value ('' none), its ttl ms, request (''
/// none). A wrong or matching attempt is remembered with its request; a
/// retry of it whose first answer was lost (uncertain) is given that
/// outcome again, not compared twice.
pub(crate) static ATTEMPT: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local r = load(KEYS[1], clock())
local request = ARGV[11]
if request ~= '' and r.mark == request and r.uncertain then
  if r.outcome == 'matched' then return {'matched'} end
  if r.outcome == 'wrong' then return {'wrong', r.left} end
end
local c = find(r, ARGV[1])
if not c or c.left <= 0 then return {'notfound'} end
local binding_ok = c.bind == ARGV[3]
if not binding_ok and ARGV[4] == '0' then return {'other'} end
local now, lockw = tonumber(ARGV[6]), tonumber(ARGV[8])
if c.exp <= now then return {'expired'} end
local n, since = failures(r, now, lockw)
if n >= tonumber(ARGV[7]) then return {'locked', since + lockw - now} end
if not (binding_ok and c.code == ARGV[2]) then
  fail(r, now, lockw)
  c.left = c.left - 1
  if c.left <= 0 and c.res == 0 then drop(r, c.id) end
  remember(r, request, 'wrong', math.max(c.left, 0), lockw)
  save(r)
  return {'wrong', math.max(c.left, 0)}
end
if ARGV[5] == 'reserve' then
  fail(r, now, lockw)
  c.left = c.left - 1
  c.res = c.res + 1
  save(r)
  return {'matched'}
end
drop(r, c.id)
remember(r, request, 'matched', 0, lockw)
save(r)
if ARGV[5] == 'certify' and KEYS[2] then
  redis.call('SET', KEYS[2], ARGV[9], 'PX', tonumber(ARGV[10]))
end
return {'matched'}
",
    )
});

/// KEYS: phone. ARGV: challenge id, verified (0|1).
pub(crate) static SETTLE: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local r = load(KEYS[1], clock())
local c = find(r, ARGV[1])
if not c or c.res <= 0 then return {'notfound'} end
local res = c.res
c.res = res - 1
if ARGV[2] == '1' then
  drop(r, c.id)
  if r.fails > 0 then r.fails = r.fails - 1 end
  save(r)
  return {'matched'}
end
if c.left <= 0 and res == 1 then drop(r, c.id) end
save(r)
return {'wrong', math.max(c.left, 0)}
",
    )
});

/// KEYS: phone. ARGV: challenge id. Takes a challenge back (its SMS could
/// not be sent).
pub(crate) static WITHDRAW: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local r = load(KEYS[1], clock())
if drop(r, ARGV[1]) then save(r) end
return 1
",
    )
});

/// KEYS: the client's failures (`n` in all since `since`, and one field
/// per source address). ARGV: now, window, per client, per source, the
/// source's field. -1 when allowed (and counted), else ms until the window
/// ends. A new window forgets every count.
pub(crate) static RESERVE_AUTH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local function keep(key, ms)
  if ms > 0 and redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local f = redis.call('HMGET', KEYS[1], 'n', 'since', ARGV[5])
local n, since, s = tonumber(f[1] or '0'), tonumber(f[2] or '0'), tonumber(f[3] or '0')
if since + window <= now then
  redis.call('DEL', KEYS[1])
  n, s = 0, 0
end
if n >= tonumber(ARGV[3]) or s >= tonumber(ARGV[4]) then return since + window - now end
if n == 0 then
  since = now
  redis.call('HSET', KEYS[1], 'since', now)
end
redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HINCRBY', KEYS[1], ARGV[5], 1)
keep(KEYS[1], since + window - now)
return -1
",
    )
});

/// KEYS: the client's failures. ARGV: the source's field.
pub(crate) static FORGIVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
for _, field in ipairs({'n', ARGV[1]}) do
  if tonumber(redis.call('HGET', KEYS[1], field) or '0') > 0 then
    redis.call('HINCRBY', KEYS[1], field, -1)
  end
end
return 1
",
    )
});

/// KEYS: phone. ARGV: request, keep ms. Marks the request as one whose
/// answer the server lost (the call timed out or its connection dropped,
/// so the client got `500`): if its step ran, it is the phone's last
/// request, and a retry of it gets what it did. Sent on the same
/// connection right after the lost call, so Redis sees it after that call.
pub(crate) static UNCERTAIN: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local r = load(KEYS[1], clock())
if r.mark == ARGV[1] then
  r.uncertain = true
  want(r, tonumber(ARGV[2]))
  save(r)
end
return 1
",
    )
});

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use redis::aio::MultiplexedConnection;
    use redis::Value;

    /// ISSUE without its first-record path: the general path alone.
    static GENERAL_ISSUE: LazyLock<Script> =
        LazyLock::new(|| Script::new(&format!("{ISSUE_HEAD}{PRELUDE}{ISSUE_BODY}")));

    /// The Redis on 127.0.0.1:6379 (this machine kind starts one), or
    /// `None` to skip when there is none and `OTP_REQUIRE_REDIS` is unset.
    async fn redis() -> Option<MultiplexedConnection> {
        let client = redis::Client::open("redis://127.0.0.1:6379/").unwrap();
        match client.get_multiplexed_async_connection().await {
            Ok(connection) => Some(connection),
            Err(e) => {
                assert!(
                    std::env::var_os("OTP_REQUIRE_REDIS").is_none(),
                    "no Redis on 127.0.0.1:6379 and OTP_REQUIRE_REDIS is set: {e}"
                );
                None
            }
        }
    }

    /// One ISSUE's arguments.
    #[derive(Debug, Clone)]
    struct Issue {
        now: u64,
        limits: Option<[u64; 5]>,
        id: Vec<u8>,
        code: [u8; 16],
        binding: [u8; 8],
        expires_at: u64,
        attempts: u64,
        keep: u64,
        request: Option<[u8; 8]>,
        /// A RAO session key, and whether it implies the challenge's id.
        session: Option<bool>,
    }

    fn issues() -> impl Strategy<Value = Issue> {
        let limits = proptest::option::of(
            (
                1u64..10_000_000,
                0u64..1_000_000,
                1u64..4,
                1u64..4,
                1u64..10_000_000,
            )
                .prop_map(|(w, i, s, f, l)| [w, i, s, f, l]),
        );
        (
            1_600_000_000_000u64..1_900_000_000_000,
            limits,
            proptest::collection::vec(any::<u8>(), 1..40),
            any::<[u8; 16]>(),
            any::<[u8; 8]>(),
            (
                1_600_000_000_000u64..1_900_000_000_000,
                0u64..70_000,
                1u64..10_000_000,
            ),
            (
                proptest::option::of(any::<[u8; 8]>()),
                proptest::option::of(any::<bool>()),
            ),
        )
            .prop_map(
                |(
                    now,
                    limits,
                    id,
                    code,
                    binding,
                    (expires_at, attempts, keep),
                    (request, session),
                )| Issue {
                    now,
                    limits,
                    id,
                    code,
                    binding,
                    expires_at,
                    attempts,
                    keep,
                    request,
                    session,
                },
            )
    }

    async fn run(
        script: &Script,
        key: &str,
        i: &Issue,
        con: &mut MultiplexedConnection,
    ) -> Vec<Value> {
        let [window, interval, sends, fails, lock] = i.limits.unwrap_or_default();
        let mut invocation = script.key(key);
        let mut implied = Vec::new();
        if let Some(implies) = i.session {
            invocation.key(format!("{key}:session"));
            implied = if implies {
                i.id.clone()
            } else {
                b"other".to_vec()
            };
        }
        invocation
            .arg(i.now)
            .arg(u8::from(i.limits.is_some()))
            .arg(window)
            .arg(interval)
            .arg(sends)
            .arg(fails)
            .arg(lock)
            .arg(&i.id[..])
            .arg(&i.code[..])
            .arg(&i.binding[..])
            .arg(i.expires_at)
            .arg(i.attempts)
            .arg(i.keep)
            .arg(i.request.as_ref().map_or(&b""[..], |r| &r[..]))
            .arg(&[7u8; 12][..])
            .arg(&implied[..])
            .arg("otp-test:first:")
            .invoke_async(con)
            .await
            .unwrap()
    }

    /// The record, and its TTL in ms.
    async fn record(key: &str, con: &mut MultiplexedConnection) -> (Option<Vec<u8>>, i64) {
        let value: Option<Vec<u8>> = redis::cmd("GET").arg(key).query_async(con).await.unwrap();
        let ttl: i64 = redis::cmd("PTTL").arg(key).query_async(con).await.unwrap();
        (value, ttl)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// The first-record path writes the bytes, TTL and reply the
        /// general path writes, and a second issue over each record (the
        /// general path both times) agrees too.
        #[test]
        fn a_first_record_is_what_the_general_path_writes(first in issues(), second in issues()) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let Some(mut con) = redis().await else { return };
                let tag: u64 = rand_tag();
                let (fast, general) = (format!("otp-test:first:{tag}:a"), format!("otp-test:first:{tag}:b"));
                for issue in [&first, &second] {
                    let by_first = run(&ISSUE, &fast, issue, &mut con).await;
                    let by_general = run(&GENERAL_ISSUE, &general, issue, &mut con).await;
                    assert_eq!(by_first, by_general, "{issue:?}");
                    let ((a, a_ttl), (b, b_ttl)) = (record(&fast, &mut con).await, record(&general, &mut con).await);
                    // The same bytes but for when each challenge stops being
                    // kept: Redis's time, a few ms apart between the two calls.
                    let (a, a_keeps) = without_keeps(a.as_deref());
                    let (b, b_keeps) = without_keeps(b.as_deref());
                    assert_eq!(a, b, "{issue:?}");
                    assert_eq!(a_keeps.len(), b_keeps.len());
                    for (x, y) in a_keeps.iter().zip(&b_keeps) {
                        assert!(x.abs_diff(*y) <= 50, "kept until {x} vs {y}: {issue:?}");
                    }
                    assert!((a_ttl - b_ttl).abs() <= 50, "TTL {a_ttl} vs {b_ttl}: {issue:?}");
                    let (a, a_ttl) = record(&format!("{fast}:session"), &mut con).await;
                    let (b, b_ttl) = record(&format!("{general}:session"), &mut con).await;
                    assert_eq!(a, b, "the session: {issue:?}");
                    assert!((a_ttl - b_ttl).abs() <= 50, "session TTL {a_ttl} vs {b_ttl}: {issue:?}");
                }
                let keys = [&fast, &general].map(|k| [k.clone(), format!("{k}:session")]);
                let _: () = redis::cmd("DEL").arg(keys.as_flattened()).query_async(&mut con).await.unwrap();
            });
        }
    }

    /// A record (the layout in this module's doc) with each challenge's
    /// `keep` zeroed, and those `keep`s.
    fn without_keeps(record: Option<&[u8]>) -> (Option<Vec<u8>>, Vec<u64>) {
        let Some(record) = record else {
            return (None, Vec::new());
        };
        let mut bytes = record.to_vec();
        let number = |at: usize, len: usize| {
            record[at..at + len]
                .iter()
                .fold(0u64, |n, &b| n << 8 | u64::from(b))
        };
        let flags = record[0];
        let mut at = 1;
        if flags & 1 != 0 {
            at += 8;
        }
        at += 2 + 6 * number(at, 2) as usize;
        if flags & 2 != 0 {
            at += 8;
            if flags & 16 != 0 {
                at += 2;
            }
        }
        let mut keeps = Vec::new();
        let challenges = number(at, 2);
        at += 2;
        for _ in 0..challenges {
            at += 1 + record[at] as usize + 16 + 8 + 6;
            keeps.push(number(at, 6));
            bytes[at..at + 6].fill(0);
            at += 6 + 2 + 2;
        }
        assert_eq!(at, record.len(), "the whole record was read");
        (Some(bytes), keeps)
    }

    fn rand_tag() -> u64 {
        u64::from_le_bytes(crate::crypto::Draw::new().take().unwrap())
    }
}
