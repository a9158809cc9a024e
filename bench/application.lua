-- One POST /v1/accreditation-applications, for bench/post.lua and
-- bench/soak.lua: the first valid NIF from k on (nif.lua, stepping by step)
-- in an application named after tag ("Bench", "Soak"), sent from an address
-- of its own, as applicants are (the bench trusts 127.0.0.1's
-- X-Forwarded-For), so no rate-counter row is everyone's.
-- Returns the request and the next k.
local nif = require("nif")
local M = {}

local body = [[{"legal_name":"%s %s, Lda.","trade_name":"%s %s","nif":"%s","country":"PT",]] ..
  [["address":{"street":"Rua de Santa Catarina 200","postal_code":"4000-443","city":"Porto","country":"PT"},]] ..
  [["website":"https://%s-%s.example.pt","contacts":[]] ..
  [[{"type":"admin","name":"Ana Silva","email":"admin%s@%s.example.pt","phone":"+351223456789"},]] ..
  [[{"type":"technical","name":"Rui Costa","email":"rui@%s.example.pt","phone":"+351223456780"},]] ..
  [[{"type":"security","name":"Marta Reis","email":"soc@%s.example.pt","phone":"+351223456781"}],]] ..
  [["accepted_terms_version":"2026-01"}]]

function M.post(k, step, tag)
  local n
  repeat
    n = nif.of(k)
    k = k + step
  until n
  local v, host = tonumber(n), tag:lower()
  local address = string.format("10.%d.%d.%d", math.floor(v / 65536) % 256,
    math.floor(v / 256) % 256, v % 256)
  return wrk.format("POST", "/v1/accreditation-applications",
    { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = address },
    body:format(tag, n, tag, n, n, host, n, n, host, host, host)), k
end

return M
