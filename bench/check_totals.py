#!/usr/bin/env python3
"""Checks that telaudit's report.json agrees with the DuckDB baseline to the cent.

Usage: check_totals.py DUCKDB_AUDIT_PY CLIENT_DIR REPORT_JSON [--threads N]

The baseline script prints figures formatted with Python's `:.2f` (half-even on
Decimal), while telaudit rounds half away from zero. To compare without that
ambiguity, this runs the baseline's own SQL once more (untimed) with its
formatter swapped for the exact decimal, then rounds each exact figure half away
from zero and compares it with report.json's string. Exit 0 when every figure agrees.
"""
import contextlib, decimal, io, json, sys

script, client, report_path = sys.argv[1:4]
threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2"
src = open(script).read()
old = 'f2 = lambda x: f"{(x or 0):.2f}"'
if old not in src:
    sys.exit(f"check_totals: {script} no longer defines f2 as expected; update check_totals.py")
src = src.replace(old, "f2 = lambda x: str(x or 0)")
buf = io.StringIO()
sys.argv = [script, client, "--threads", threads]
with contextlib.redirect_stdout(buf):
    exec(compile(src, script, "exec"), {"__name__": "__main__"})
exact = json.loads(buf.getvalue())
report = json.load(open(report_path))


def cents(s):
    return decimal.Decimal(s).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)


checks = [
    ("input.rows", str(exact["input"]["rows"]), str(report["input"]["rows"])),
    ("input.billed_total", str(cents(exact["input"]["billed_total"])), report["input"]["billed_total"]),
    ("totals.recoverable", str(cents(exact["totals"]["recoverable"])), report["totals"]["recoverable"]),
    ("totals.monthly", str(cents(exact["totals"]["monthly"])), report["totals"]["monthly"]),
]
ours = {r["rule"]: r for r in report["by_rule"]}
for rule in sorted(set(ours) | set(exact["by_rule"])):
    rec, mon = exact["by_rule"].get(rule, ["0", "0"])
    mine = ours.get(rule, {"recoverable": "missing", "monthly": "missing"})
    checks.append((f"by_rule.{rule}.recoverable", str(cents(rec)), mine["recoverable"]))
    checks.append((f"by_rule.{rule}.monthly", str(cents(mon)), mine["monthly"]))
bad = [c for c in checks if c[1] != c[2]]
for name, want, got in bad:
    print(f"MISMATCH {name}: duckdb {want}, telaudit {got}")
print(f"totals check: {len(checks) - len(bad)}/{len(checks)} figures agree to the cent"
      f" (recoverable {report['totals']['recoverable']}, monthly {report['totals']['monthly']})")
sys.exit(1 if bad else 0)
