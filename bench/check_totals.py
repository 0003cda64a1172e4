#!/usr/bin/env python3
"""Checks that telaudit's report.json agrees with the DuckDB baseline to the cent.

Usage: check_totals.py DUCKDB_AUDIT_PY CLIENT_DIR REPORT_JSON [--threads N]

Runs the baseline (untimed) with --exact, so that it prints exact decimals, rounds each
figure half away from zero as telaudit does, and compares it with report.json's string:
rows, billed total, both totals and every rule's recoverable and monthly, and with a
claims.csv every figure of the recovery object (docs/recovery.md).
Exit 0 when every figure agrees.
"""
import decimal, json, subprocess, sys

script, client, report_path = sys.argv[1:4]
threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2"
out = subprocess.run([sys.executable, script, client, "--threads", threads, "--exact"],
                     check=True, capture_output=True, text=True).stdout
exact = json.loads(out)
report = json.load(open(report_path))


def cents(s):
    c = decimal.Decimal(s).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
    return "0.00" if str(c) == "-0.00" else str(c)


checks = [
    ("input.rows", str(exact["input"]["rows"]), str(report["input"]["rows"])),
    ("input.billed_total", cents(exact["input"]["billed_total"]), report["input"]["billed_total"]),
    ("totals.recoverable", cents(exact["totals"]["recoverable"]), report["totals"]["recoverable"]),
    ("totals.monthly", cents(exact["totals"]["monthly"]), report["totals"]["monthly"]),
    ("totals.expired", cents(exact["totals"]["expired"]), report["totals"].get("expired", "missing")),
]
ours = {r["rule"]: r for r in report["by_rule"]}
for rule in sorted(set(ours) | set(exact["by_rule"])):
    rec, mon = exact["by_rule"].get(rule, ["0", "0"])
    mine = ours.get(rule, {"recoverable": "missing", "monthly": "missing"})
    checks.append((f"by_rule.{rule}.recoverable", cents(rec), mine["recoverable"]))
    checks.append((f"by_rule.{rule}.monthly", cents(mon), mine["monthly"]))
if "recovery" in exact or "recovery" in report:
    mine, theirs = report.get("recovery", {}), exact.get("recovery", {})
    for k in ["claims", "claimed", "recovered", "outstanding", "denied", "overdue", "overdue_amount", "covered",
              "unclaimed", "ambiguous_credits", "unmatched_credits"]:
        want = theirs.get(k, "missing")
        want = str(want) if isinstance(want, int) else cents(want) if want != "missing" else want
        checks.append((f"recovery.{k}", want, str(mine.get(k, "missing"))))
bad = [c for c in checks if c[1] != c[2]]
for name, want, got in bad:
    print(f"MISMATCH {name}: duckdb {want}, telaudit {got}")
print(f"totals check: {len(checks) - len(bad)}/{len(checks)} figures agree to the cent"
      f" (rows {report['input']['rows']}, billed {report['input']['billed_total']},"
      f" recoverable {report['totals']['recoverable']}, monthly {report['totals']['monthly']})")
sys.exit(1 if bad else 0)
