//! The Lua scripts of the Redis store: one per atomic step.
//!
//! A phone's record (`ph:{P}`: failures `n` since `since`), its sends
//! (`ph:{P}:s`, a sorted set of send times) and its challenges (`…:{P}:…`:
//! `code`, `binding`, `exp`, attempts `left`, reserved `res`) share the
//! phone's hash tag, so the lock check, the attempt, the comparison and the
//! counts of a validate are one script on one slot. A RAO session
//! (`rao:{S}`: `cur` challenge, certified `cc`, `number`, `until`) has its
//! own tag: on a single node the same scripts touch it in the same step; on
//! a cluster it is a second script on its own slot.

use redis::Script;
use std::sync::LazyLock;

/// Shared helpers: keep a key at least `ms` longer; the phone's failures now.
const PRELUDE: &str = r"
local function keep(key, ms)
  if ms > 0 and redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
local function failures(phone, now, window)
  local f = redis.call('HMGET', phone, 'n', 'since')
  local n, since = tonumber(f[1] or '0'), tonumber(f[2] or '0')
  if since + window <= now then n = 0 end
  return n, since
end
local function fail(phone, now, window)
  local n, since = failures(phone, now, window)
  if n == 0 then
    redis.call('HSET', phone, 'n', 1, 'since', now)
    keep(phone, window)
  else
    redis.call('HINCRBY', phone, 'n', 1)
    keep(phone, since + window - now)
  end
end
";

fn script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{body}"))
}

/// KEYS: phone, sends, challenge, session (or the challenge again: none).
/// ARGV: now, limited (0|1), window, interval, max sends, max failures,
/// lock window, send member, code, binding, exp, attempts, keep ms,
/// request ('' none).
/// Refuses the send or counts it, then (re)places the challenge; with a
/// session, the session's earlier challenge goes and its certified phone
/// is cleared. The phone remembers the request of its last step (`r`); a
/// retry of it whose first answer was lost (`u`, see [`UNCERTAIN`]) is not
/// refused as too soon.
pub(crate) static ISSUE: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local now = tonumber(ARGV[1])
if ARGV[2] == '1' then
  local window, interval, lockw = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[7])
  local n, since = failures(KEYS[1], now, lockw)
  if n >= tonumber(ARGV[6]) then return {'fails', since + lockw - now} end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  local seen = redis.call('HMGET', KEYS[1], 'r', 'u')
  local retry = ARGV[14] ~= '' and seen[1] == ARGV[14] and seen[2] == ARGV[14]
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  if not retry and last[2] and tonumber(last[2]) + interval > now then
    return {'soon', tonumber(last[2]) + interval - now}
  end
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
    local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {'many', tonumber(first[2]) + window - now}
  end
  redis.call('ZADD', KEYS[2], now, ARGV[8])
  keep(KEYS[2], window)
end
local ms = tonumber(ARGV[13])
redis.call('HSETNX', KEYS[1], 'n', 0)
-- A step that runs ends any earlier mark: a lost answer waives the
-- interval for one retry, not for every later copy of that request.
if ARGV[14] ~= '' then
  redis.call('HSET', KEYS[1], 'r', ARGV[14], 'ro', 'sent')
  redis.call('HDEL', KEYS[1], 'u')
end
keep(KEYS[1], ms)
if KEYS[4] ~= KEYS[3] then
  local old = redis.call('HGET', KEYS[4], 'cur')
  if old and old ~= KEYS[3] then redis.call('DEL', old) end
  redis.call('HDEL', KEYS[4], 'cc', 'number', 'until')
  redis.call('HSET', KEYS[4], 'cur', KEYS[3])
  keep(KEYS[4], ms)
end
redis.call('HSET', KEYS[3], 'code', ARGV[9], 'binding', ARGV[10], 'exp', ARGV[11],
  'left', ARGV[12], 'res', 0)
redis.call('PEXPIRE', KEYS[3], ms)
return {'ok'}
",
    )
});

/// KEYS: session. ARGV: the new challenge's key, keep ms. The cluster's
/// half of a RAO issue: the earlier challenge's key (for the caller to
/// delete on its own slot), the certified phone cleared.
pub(crate) static SWAP_SESSION: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local old = redis.call('HGET', KEYS[1], 'cur')
redis.call('HDEL', KEYS[1], 'cc', 'number', 'until')
redis.call('HSET', KEYS[1], 'cur', ARGV[1])
keep(KEYS[1], tonumber(ARGV[2]))
if old and old ~= ARGV[1] then return old end
return false
",
    )
});

/// KEYS: phone, challenge[, session]. ARGV: code, binding, mismatch counts
/// (0|1), mode (consume|certify|reserve), now, max failures, lock window,
/// country code, number, certified ttl ms, request ('' none). A wrong or
/// matching attempt is remembered with its request (`r`, `ro`); a retry of
/// it whose first answer was lost (`u`) is given that outcome again, not
/// compared twice.
pub(crate) static ATTEMPT: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local request = ARGV[11]
if request ~= '' then
  local last = redis.call('HMGET', KEYS[1], 'r', 'ro', 'u')
  if last[1] == request and last[3] == request then
    if last[2] == 'matched' then return {'matched'} end
    if string.sub(last[2] or '', 1, 6) == 'wrong:' then
      return {'wrong', tonumber(string.sub(last[2], 7))}
    end
  end
end
local function remember(outcome)
  if request ~= '' then
    redis.call('HSET', KEYS[1], 'r', request, 'ro', outcome)
    redis.call('HDEL', KEYS[1], 'u')
    keep(KEYS[1], tonumber(ARGV[7]))
  end
end
local c = redis.call('HMGET', KEYS[2], 'code', 'binding', 'exp', 'left')
if not c[1] or tonumber(c[4]) <= 0 then return {'notfound'} end
local binding_ok = c[2] == ARGV[2]
if not binding_ok and ARGV[3] == '0' then return {'other'} end
local now, lockw = tonumber(ARGV[5]), tonumber(ARGV[7])
if tonumber(c[3]) <= now then return {'expired'} end
local n, since = failures(KEYS[1], now, lockw)
if n >= tonumber(ARGV[6]) then return {'locked', since + lockw - now} end
if not (binding_ok and c[1] == ARGV[1]) then
  fail(KEYS[1], now, lockw)
  local left = redis.call('HINCRBY', KEYS[2], 'left', -1)
  if left <= 0 and tonumber(redis.call('HGET', KEYS[2], 'res')) == 0 then
    redis.call('DEL', KEYS[2])
  end
  remember('wrong:' .. math.max(left, 0))
  return {'wrong', math.max(left, 0)}
end
if ARGV[4] == 'reserve' then
  fail(KEYS[1], now, lockw)
  redis.call('HINCRBY', KEYS[2], 'left', -1)
  redis.call('HINCRBY', KEYS[2], 'res', 1)
  return {'matched'}
end
redis.call('DEL', KEYS[2])
remember('matched')
if ARGV[4] == 'certify' and KEYS[3] then
  local ttl = tonumber(ARGV[10])
  redis.call('HDEL', KEYS[3], 'cur')
  redis.call('HSET', KEYS[3], 'cc', ARGV[8], 'number', ARGV[9], 'until', now + ttl)
  keep(KEYS[3], ttl)
end
return {'matched'}
",
    )
});

/// KEYS: session. ARGV: country code, number, now, ttl ms. The cluster's
/// half of a RAO certify.
pub(crate) static CERTIFY: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local ttl = tonumber(ARGV[4])
redis.call('HDEL', KEYS[1], 'cur')
redis.call('HSET', KEYS[1], 'cc', ARGV[1], 'number', ARGV[2], 'until', tonumber(ARGV[3]) + ttl)
keep(KEYS[1], ttl)
return 1
",
    )
});

/// KEYS: phone, challenge. ARGV: verified (0|1).
pub(crate) static SETTLE: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local res = tonumber(redis.call('HGET', KEYS[2], 'res') or '0')
if res <= 0 then return {'notfound'} end
redis.call('HINCRBY', KEYS[2], 'res', -1)
local left = tonumber(redis.call('HGET', KEYS[2], 'left'))
if ARGV[1] == '1' then
  redis.call('DEL', KEYS[2])
  if tonumber(redis.call('HGET', KEYS[1], 'n') or '0') > 0 then
    redis.call('HINCRBY', KEYS[1], 'n', -1)
  end
  return {'matched'}
end
if left <= 0 and res == 1 then redis.call('DEL', KEYS[2]) end
return {'wrong', math.max(left, 0)}
",
    )
});

/// KEYS: the client's failures (`n` in all since `since`, and one field
/// per source address). ARGV: now, window, per client, per source, the
/// source's field. -1 when allowed (and counted), else ms until the window
/// ends. A new window forgets every count.
pub(crate) static RESERVE_AUTH: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
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
    script(
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
/// so the client got `500`): if its step ran, a retry of it gets what it
/// did. Sent on the same connection right after the lost call, so Redis
/// sees it after that call.
pub(crate) static UNCERTAIN: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
redis.call('HSET', KEYS[1], 'u', ARGV[1])
keep(KEYS[1], tonumber(ARGV[2]))
return 1
",
    )
});
