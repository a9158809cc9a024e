-- POST /v1/accreditation-applications with a distinct valid NIF and admin
-- email each time. wrk … -s bench/post.lua -- RUN: runs use disjoint NIFs.
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local nif = require("nif")
local counter, step, k = 0, 1, 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local run = tonumber(args[1] or "0")
  step = 64 -- at most 64 wrk threads
  k = 100000 + run * 10000000 + (tid or 0)
end

local body = [[{"legal_name":"Bench %s, Lda.","trade_name":"Bench %s","nif":"%s","country":"PT",]] ..
  [["address":{"street":"Rua de Santa Catarina 200","postal_code":"4000-443","city":"Porto","country":"PT"},]] ..
  [["website":"https://bench-%s.example.pt","contacts":[]] ..
  [[{"type":"admin","name":"Ana Silva","email":"admin%s@bench.example.pt","phone":"+351223456789"},]] ..
  [[{"type":"technical","name":"Rui Costa","email":"rui@bench.example.pt","phone":"+351223456780"},]] ..
  [[{"type":"security","name":"Marta Reis","email":"soc@bench.example.pt","phone":"+351223456781"}],]] ..
  [["accepted_terms_version":"2026-01"}]]

function request()
  local n
  repeat
    n = nif.of(k)
    k = k + step
  until n
  -- many applicants, as in life: an address of its own for each (the bench
  -- trusts 127.0.0.1's X-Forwarded-For), so no counter row is everyone's
  local v = tonumber(n)
  local address = string.format("10.%d.%d.%d", math.floor(v / 65536) % 256,
    math.floor(v / 256) % 256, v % 256)
  return wrk.format("POST", "/v1/accreditation-applications",
    { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = address },
    body:format(n, n, n, n, n))
end
