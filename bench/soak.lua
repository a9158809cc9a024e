-- bench/soak's mixed traffic, one request kind after another in a fixed
-- cycle of 20: public reads (directory, events, news, contacts, health),
-- registrars' reads with their own tokens (their record, enrollment, change
-- feed), POSTs of applications (distinct valid NIFs), PATCHes of registrars,
-- and refusals: 401 (no token, a forged token), 404 (an unknown registrar, no
-- such route), 400 (a bad path parameter), 422 (an application without its
-- fields). Each connection waits DELAY_MS between requests, so the rate is
-- bounded (connections × 1000 / DELAY_MS at most).
-- wrk … -s bench/soak.lua -- TOKENS_FILE ROUND DELAY_MS
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local application = require("application")
local tokens, n, i, step, k, pause = nil, 0, 0, 64, 0, 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  tokens = dofile(args[1])
  n = #tokens
  i = math.random(n)
  -- each round its block of 2,000,000 of nif.lua's k above the seed's 10,000
  -- (the permutation repeats after 90,000,000: 44 rounds), each thread every
  -- 64th k of it: no POST repeats another's NIF
  k = 10000 + tonumber(args[2] or "0") * 2000000 + (tid or 0)
  pause = tonumber(args[3] or "0")
end

function delay()
  return pause
end

local function post()
  local req
  req, k = application.post(k, step, "Soak")
  return req
end

local cycle, c = {
  "directory", "registrar", "events", "enrollment", "post", "patch", "news", "registrar",
  "changes", "contacts", "no-token", "registrar", "patch", "unknown", "healthz", "post",
  "forged", "bad-id", "no-route", "invalid",
}, 0

function request()
  c = c % #cycle + 1
  i = i % n + 1
  local t = tokens[i]
  local h = { Authorization = "Bearer " .. t[2] }
  local kind = cycle[c]
  if kind == "directory" then return wrk.format("GET", "/v1/registrars") end
  if kind == "events" then return wrk.format("GET", "/v1/events") end
  if kind == "news" then return wrk.format("GET", "/v1/news") end
  if kind == "contacts" then return wrk.format("GET", "/v1/contacts") end
  if kind == "healthz" then return wrk.format("GET", "/healthz") end
  if kind == "registrar" then return wrk.format("GET", "/v1/registrars/" .. t[1], h) end
  if kind == "enrollment" then
    return wrk.format("GET", "/v1/enrollments/" .. string.gsub(t[1], "%-8000%-", "-9000-"), h)
  end
  if kind == "changes" then return wrk.format("GET", "/v1/changes", h) end
  if kind == "post" then return post() end
  if kind == "patch" then
    h["If-Match"] = "*"
    h["Content-Type"] = "application/merge-patch+json"
    return wrk.format("PATCH", "/v1/registrars/" .. t[1], h,
      string.format('{"website":"https://registo-%d-%d.example.pt"}', i, math.random(1000000)))
  end
  if kind == "no-token" then return wrk.format("GET", "/v1/changes") end
  if kind == "forged" then
    return wrk.format("GET", "/v1/changes", { Authorization = "Bearer " .. t[2]:sub(1, -5) .. "AAAA" })
  end
  if kind == "unknown" then
    return wrk.format("GET", "/v1/registrars/00000000-0000-4000-8000-999999999999", h)
  end
  if kind == "bad-id" then return wrk.format("GET", "/v1/registrars/not-a-uuid", h) end
  if kind == "no-route" then return wrk.format("GET", "/v1/nowhere") end
  return wrk.format("POST", "/v1/accreditation-applications",
    { ["Content-Type"] = "application/json" }, '{"legal_name":"Incompleta"}')
end
