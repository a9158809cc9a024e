-- GET or PATCH /v1/registrars/{id}, GET its enrollment in 3em1, or poll its
-- change feed, each with that registrar's own token:
-- list SIGA proposals by votes, or vote for the first proposal (idempotent: the
-- first vote of each registrar writes, the rest answer as they are):
-- wrk … -s bench/registrar.lua -- TOKENS_FILE [get|patch|enrollment|changes|proposals|vote]. The
-- tokens file (written by bench/run) returns a list of {id, token}; an
-- enrollment's id is its registrar's with 9000 for 8000 (bench/seed.sql).
local tokens, mode, n, i = nil, "get", 0, 0

function init(args)
  tokens = dofile(args[1])
  mode = args[2] or "get"
  n = #tokens
  i = math.random(n)
end

function request()
  i = i % n + 1
  local t = tokens[i]
  local h = { Authorization = "Bearer " .. t[2] }
  if mode == "get" then
    return wrk.format("GET", "/v1/registrars/" .. t[1], h)
  end
  if mode == "proposals" then
    return wrk.format("GET", "/v1/siga/proposals?sort=-votes", h)
  end
  if mode == "vote" then
    return wrk.format("PUT", "/v1/siga/proposals/00000000-0000-4000-a000-000000000001/vote", h)
  end
  if mode == "changes" then
    return wrk.format("GET", "/v1/changes", h)
  end
  if mode == "enrollment" then
    return wrk.format("GET", "/v1/enrollments/" .. string.gsub(t[1], "%-8000%-", "-9000-"), h)
  end
  h["If-Match"] = "*"
  h["Content-Type"] = "application/merge-patch+json"
  return wrk.format("PATCH", "/v1/registrars/" .. t[1], h,
    string.format('{"website":"https://registo-%d-%d.example.pt"}', i, math.random(1000000)))
end
