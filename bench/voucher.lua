-- GET /v1/vouchers/{code}, or POST /v1/vouchers/{code}/redeem with a code and
-- a domain used once, each by a registrar enrolled in 3em1 (bench/seed.sql:
-- registrar N is active when N is not a multiple of 3):
-- wrk … -s bench/voucher.lua -- TOKENS_FILE CODES_FILE get|redeem RUN.
-- Redemptions take disjoint codes per run and per wrk thread (bench/run
-- seeds 20,000 a run).
local tokens, codes, mode, run = nil, nil, "get", 0
local threads = {}
local i, k, step, base = 0, 0, 64, 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  tokens = dofile(args[1])
  codes = dofile(args[2])
  mode = args[3] or "get"
  run = tonumber(args[4] or "0")
  i = math.random(#tokens)
  base = (run - 1) * 20000 + (tid or 0)
end

local function token()
  repeat
    i = i % #tokens + 1
  until i % 3 ~= 0
  return tokens[i][2]
end

function request()
  local h = { Authorization = "Bearer " .. token() }
  if mode == "get" then
    return wrk.format("GET", "/v1/vouchers/" .. codes[math.random(#codes)], h)
  end
  local n = base + k * step + 1
  k = k + 1
  h["Content-Type"] = "application/json"
  return wrk.format("POST", "/v1/vouchers/" .. codes[n] .. "/redeem", h,
    string.format('{"domain":"loja-%d.pt"}', n))
end
