"""Writes N voucher codes for bench/run: canonical (14 symbols, no dashes),
13 symbols from a seeded generator and the Luhn mod 30 check symbol of
DOMAIN.md section 4, so every run seeds the same codes. A CSV for COPY
(n,code) and a Lua list for wrk.

usage: vouchers.py N CSV LUA
"""
import random
import sys

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def check_symbol(payload):
    total = 0
    for i, c in enumerate(reversed(payload)):
        v = ALPHABET.index(c) * (2 if i % 2 == 0 else 1)
        total += v // 30 + v % 30
    return ALPHABET[(30 - total % 30) % 30]


n, csv_path, lua_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rng = random.Random(2026)
codes, seen = [], set()
while len(codes) < n:
    payload = "".join(rng.choice(ALPHABET) for _ in range(13))
    if payload not in seen:
        seen.add(payload)
        codes.append(payload + check_symbol(payload))
with open(csv_path, "w") as f:
    f.writelines(f"{i + 1},{c}\n" for i, c in enumerate(codes))
with open(lua_path, "w") as f:
    f.write("return {\n" + "".join(f'"{c}",\n' for c in codes) + "}\n")
