-- Valid Portuguese NIFs (mod-11 check digit), the same permutation of the
-- eight-digit bases as bench/seed.sql's bench_nif(k): distinct for distinct k.
local M = {}
local prefixes = { ["1"] = true, ["2"] = true, ["3"] = true, ["5"] = true, ["6"] = true,
  ["45"] = true, ["70"] = true, ["71"] = true, ["72"] = true, ["74"] = true, ["75"] = true,
  ["77"] = true, ["78"] = true, ["79"] = true, ["90"] = true, ["91"] = true, ["98"] = true,
  ["99"] = true }

function M.of(k)
  local b = tostring(10000000 + (k * 7654321 + 12345) % 90000000)
  if not (prefixes[b:sub(1, 1)] or prefixes[b:sub(1, 2)]) then return nil end
  local s = 0
  for i = 1, 8 do s = s + tonumber(b:sub(i, i)) * (10 - i) end
  local c = 11 - s % 11
  if c >= 10 then c = 0 end
  return b .. c
end
return M
