-- POST /v1/accreditation-applications with a distinct valid NIF and admin
-- email each time. wrk … -s bench/post.lua -- RUN: runs use disjoint NIFs.
package.path = debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "?.lua;" .. package.path
local application = require("application")
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

function request()
  local req
  req, k = application.post(k, step, "Bench")
  return req
end
