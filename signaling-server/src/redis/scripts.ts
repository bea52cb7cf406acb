// The shared room state in Redis, changed only by these Lua scripts (each runs atomically, so one lease holder
// per room exists across all instances, and a grant's epoch is above every epoch the room has seen). Keys of
// one room share the hash tag {room} (Redis Cluster keeps them on one shard):
//   kinetic:{room}:m  hash  peer → {"i": page instance, "s": server instance}
//   kinetic:{room}:l  hash  holder, epoch, max (highest epoch ever granted: the room record), renewed (ms),
//                           genesis (the room history peers reported: the room record's other half)
//   kinetic:{room}:c  list  lease candidates in request order
// Every change is published on kinetic:{room}:e inside the script, so all instances see changes in one order.
// Time is Redis's own (TIME), so instances' clocks do not matter.
// The last ARGV of join, lease and history is the record TTL (ms): every call refreshes the lease hash's
// expiry, so a room's record lives while the room is used (its holder renews every TTL/3) and expires after
// the TTL once nobody touches it; members and candidates go when empty (Redis deletes an empty hash or list).

const PRELUDE = `
local M, L, C = KEYS[1], KEYS[2], KEYS[3]
local channel = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local holder = redis.call('HGET', L, 'holder') or ''
local epoch = tonumber(redis.call('HGET', L, 'epoch') or '0')
local max = tonumber(redis.call('HGET', L, 'max') or '0')
local renewed = tonumber(redis.call('HGET', L, 'renewed') or '0')
local ttl = tonumber(ARGV[2])
local recordTtl = tonumber(ARGV[#ARGV])
local function snap()
  local expires = -1
  if holder ~= '' then expires = renewed + ttl - now end
  return '{"holder":' .. cjson.encode(holder) .. ',"epoch":' .. epoch .. ',"ttlMs":' .. ttl .. ',"expiresIn":' .. expires .. '}'
end
local function save()
  redis.call('HSET', L, 'holder', holder, 'epoch', epoch, 'max', max, 'renewed', renewed)
  redis.call('PEXPIRE', L, recordTtl)
end
local function changed()
  save()
  local s = snap()
  redis.call('PUBLISH', channel, '{"t":"lease","s":' .. s .. '}')
  return {'changed', s}
end
local function grant(p)
  redis.call('LREM', C, 0, p)
  if epoch > max then max = epoch end
  epoch = max + 1
  max = epoch
  holder = p
  renewed = now
  return changed()
end
local function handOver()
  while true do
    local n = redis.call('LPOP', C)
    if not n then break end
    if redis.call('HEXISTS', M, n) == 1 then return grant(n) end
  end
  holder = ''
  return changed()
end
local function release(p)
  redis.call('LREM', C, 0, p)
  if holder ~= p then return {'none', snap()} end
  return handOver()
end
`;

/**
 * ARGV: channel, ttl, peer, page instance, server id, max peers, record ttl.
 * → {status, members json, lease json, recorded genesis ('' if none), highest epoch ever granted}.
 */
export const JOIN = `${PRELUDE}
local peer, inst, sid = ARGV[3], ARGV[4], ARGV[5]
redis.call('PEXPIRE', L, recordTtl)
local cur = redis.call('HGET', M, peer)
local status = 'joined'
if cur then
  local c = cjson.decode(cur)
  if c.i ~= inst then return {'duplicate', '', ''} end
  -- Back through another instance (its old one died or dropped it): the others see it leave and join, as
  -- one server would show a socket that closed; through the same instance it is a quiet socket swap.
  if c.s ~= sid then status = 'rejoined' else status = 'moved' end
elseif redis.call('HLEN', M) >= tonumber(ARGV[6]) then
  return {'full', '', ''}
end
local rec = cjson.encode({i = inst, s = sid})
redis.call('HSET', M, peer, rec)
redis.call('PUBLISH', channel, '{"t":"' .. status .. '","p":' .. cjson.encode(peer) .. ',"m":' .. rec .. '}')
local all = redis.call('HGETALL', M)
local parts = {}
for k = 1, #all, 2 do parts[#parts + 1] = cjson.encode(all[k]) .. ':' .. all[k + 1] end
return {status, '{' .. table.concat(parts, ',') .. '}', snap(), redis.call('HGET', L, 'genesis') or '', tostring(max)}
`;

/**
 * A peer holds room history ARGV[2]; ARGV[3] '1' when it started it. It becomes the record when the room has
 * none or the peer started it (room-records.ts replacesHistory), published as {"t":"history"}.
 * ARGV: channel, genesis, started, record ttl. → {'changed' | 'same', the recorded genesis}.
 */
export const HISTORY = `
local L = KEYS[2]
local cur = redis.call('HGET', L, 'genesis') or ''
if cur ~= ARGV[2] and (cur == '' or ARGV[3] == '1') then
  redis.call('HSET', L, 'genesis', ARGV[2])
  redis.call('PEXPIRE', L, tonumber(ARGV[4]))
  redis.call('PUBLISH', ARGV[1], '{"t":"history","g":' .. cjson.encode(ARGV[2]) .. '}')
  return {'changed', ARGV[2]}
end
redis.call('PEXPIRE', L, tonumber(ARGV[4]))
return {'same', cur}
`;

/** ARGV: channel, ttl, op, peer, minEpoch, floor, server id, reason, record ttl. → {kind, lease json}. */
export const LEASE = `${PRELUDE}
local op, peer = ARGV[3], ARGV[4]
local floor = math.max(tonumber(ARGV[5]), tonumber(ARGV[6]))
if floor > max then max = floor end
if op == 'request' then
  if redis.call('HEXISTS', M, peer) == 0 then return {'none', snap()} end
  if holder == peer then
    renewed = now
    save()
    return {'reply', snap()}
  end
  if holder == '' or now - renewed > ttl then return grant(peer) end
  if not redis.call('LPOS', C, peer) then redis.call('RPUSH', C, peer) end
  save()
  return {'reply', snap()}
elseif op == 'release' then
  return release(peer)
elseif op == 'expire' then
  if holder == '' or now - renewed < ttl then return {'none', snap()} end
  return handOver()
elseif op == 'leave' then
  local cur = redis.call('HGET', M, peer)
  if not cur or cjson.decode(cur).s ~= ARGV[7] then return {'none', snap()} end
  redis.call('HDEL', M, peer)
  redis.call('PUBLISH', channel, '{"t":"left","p":' .. cjson.encode(peer) .. ',"r":' .. cjson.encode(ARGV[8]) .. '}')
  if ARGV[8] == 'leave' then return release(peer) end
  redis.call('LREM', C, 0, peer)
  return {'none', snap()}
end
return redis.error_reply('unknown op ' .. op)
`;

/** A dead server instance's members leave the room (timeout). ARGV: channel, ttl, dead server id. → count. */
export const REAP = `
local M, C = KEYS[1], KEYS[3]
local all = redis.call('HGETALL', M)
local n = 0
for k = 1, #all, 2 do
  if cjson.decode(all[k + 1]).s == ARGV[3] then
    redis.call('HDEL', M, all[k])
    redis.call('LREM', C, 0, all[k])
    redis.call('PUBLISH', ARGV[1], '{"t":"left","p":' .. cjson.encode(all[k]) .. ',"r":"timeout"}')
    n = n + 1
  end
end
return n
`;

/** After Redis came back (possibly empty): put a member this instance serves back, quietly. ARGV: peer, record. */
export const RESTORE = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;
