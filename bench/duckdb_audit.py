#!/usr/bin/env python3
"""The baseline: telaudit's default rule table as DuckDB SQL, over a client folder.

This is what a TEM analyst with DuckDB would write instead of using telaudit, and the
independent check of telaudit's figures: bench/check_totals.py compares its output with
report.json to the cent. It reads canonical charge CSV only (what `telaudit generate`
writes: invoices/**/*.csv, inventory.csv, contracts.csv, client.toml); X12 811, carrier
layouts and BAL001 are telaudit's alone. docs/rules.md and docs/formats.md ("Rule
semantics") give the rules this restates.

Usage: duckdb_audit.py CLIENT_DIR [--threads N] [--exact]

Prints JSON: input.rows, input.billed_total, totals.recoverable, totals.monthly,
totals.expired (found too late to claim: client.toml [disputes], as of the latest
invoice_date) and
by_rule {rule: [recoverable, monthly]}. Figures are rounded half away from zero to the
cent as telaudit rounds; with --exact they are the unrounded decimals.
"""
import json
import os
import sys
import tomllib
from decimal import ROUND_HALF_UP, Decimal

import duckdb


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    d = args[0]
    threads = int(args[args.index("--threads") + 1]) if "--threads" in args else 2
    exact = "--exact" in args
    toml = os.path.join(d, "client.toml")
    cfg = tomllib.load(open(toml, "rb")) if os.path.exists(toml) else {}
    exempt = bool(cfg.get("tax_exempt"))
    con = duckdb.connect()
    con.execute(f"SET threads={threads}")
    inv = os.path.join(d, "invoices", "**", "*.csv").replace("'", "''")
    # r: one row per charge; an empty quantity is 1 (docs/formats.md).
    con.execute(f"""
CREATE TABLE r AS SELECT row_number() OVER () AS id, carrier, account, coalesce(service_id,'') AS sid,
  invoice_date AS idate,
  lower(trim(charge_type)) AS ct, coalesce(charge_code,'') AS code, description AS descr,
  period_start AS ps, period_end AS pe,
  CAST(amount AS DECIMAL(38,6)) AS amt,
  coalesce(CAST(nullif(quantity,'') AS DECIMAL(38,6)), 1) AS qty,
  CAST(nullif(unit_rate,'') AS DECIMAL(38,6)) AS ur,
  CAST(nullif(usage_quantity,'') AS DECIMAL(38,6)) AS uq
FROM read_csv('{inv}', union_by_name=true, all_varchar=true, header=true)""")
    inv_csv, con_csv = os.path.join(d, "inventory.csv"), os.path.join(d, "contracts.csv")
    if os.path.exists(inv_csv):
        con.execute(f"""CREATE TABLE inv AS SELECT service_id, carrier, coalesce(account,'') AS account,
          lower(trim(status)) AS status, disconnect_date
          FROM read_csv('{inv_csv.replace("'", "''")}', all_varchar=true, header=true)""")
    else:
        con.execute("CREATE TABLE inv (service_id VARCHAR, carrier VARCHAR, account VARCHAR, status VARCHAR, disconnect_date VARCHAR)")
    if os.path.exists(con_csv):
        con.execute(f"""CREATE TABLE k AS SELECT lower(trim(kind)) AS kind, carrier, coalesce(account,'') account,
          coalesce(service_id,'') sid, charge_code code, CAST(amount AS DECIMAL(38,6)) amount,
          coalesce(effective_from,'0000') ef, coalesce(effective_to,'9999') et
          FROM read_csv('{con_csv.replace("'", "''")}', all_varchar=true, header=true)""")
    else:
        con.execute("CREATE TABLE k (kind VARCHAR, carrier VARCHAR, account VARCHAR, sid VARCHAR, code VARCHAR, amount DECIMAL(38,6), ef VARCHAR, et VARCHAR)")
    sql = f"""
-- per: an account's periods, newest first (back = 1 is its latest period_start)
WITH per AS (SELECT carrier, account, ps, dense_rank() OVER (PARTITION BY carrier, account ORDER BY ps DESC) AS back
             FROM (SELECT DISTINCT carrier, account, ps FROM r)),
lat AS (SELECT carrier, account, ps FROM per WHERE back = 1),
-- cp: the copies, every row of the same charge after the first (DUP001 claims them)
cp AS (SELECT id FROM (
          SELECT id, amt, row_number() OVER (PARTITION BY account, sid, ct, code, descr, ps, pe, qty, amt ORDER BY id) n
          FROM r WHERE ct IN ('recurring','one_time','usage','fee','surcharge') AND amt > 0) WHERE n > 1),
-- is_lat: the row bills its account's latest period and is not a copy (a copy is a
-- one-time error: no rule claims monthly money on it, formats.md section 6)
rl AS (SELECT r.*, (r.ps = lat.ps AND cp.id IS NULL) AS is_lat FROM r JOIN lat USING (carrier, account)
       LEFT JOIN cp USING (id)),
-- DUP001: every copy is recoverable
dup AS (SELECT 'DUP001' rule, CAST(id AS VARCHAR) key, amt rec, 0::DECIMAL(38,6) mon, carrier, idate
        FROM cp JOIN r USING (id)),
-- UNU001: recurring charges in the latest period of a service with usage rows but none > 0 in its 3 latest periods
svc_usage AS (SELECT carrier, account, sid FROM r WHERE ct='usage' AND sid<>'' GROUP BY ALL),
svc_used3 AS (SELECT DISTINCT r.carrier, r.account, r.sid FROM r JOIN per USING (carrier, account, ps)
              WHERE per.back <= 3 AND r.ct='usage' AND coalesce(r.uq,0) > 0),
unu AS (SELECT 'UNU001', CAST(id AS VARCHAR), 0, amt, carrier, idate FROM rl JOIN svc_usage USING (carrier, account, sid)
        ANTI JOIN svc_used3 USING (carrier, account, sid) WHERE rl.ct='recurring' AND rl.is_lat),
-- DIS001: the inventory line ruling a service: one naming the account over a carrier-wide
-- one, then a disconnected one, then the earliest disconnect date
svc AS (SELECT DISTINCT carrier, account, sid FROM r WHERE sid <> ''),
rule_line AS (SELECT carrier, account, sid, status, disconnect_date dd FROM (
          SELECT svc.*, inv.status, inv.disconnect_date, row_number() OVER (PARTITION BY svc.carrier, svc.account, svc.sid
            ORDER BY (inv.account = '') ASC, (inv.status = 'disconnected' AND inv.disconnect_date IS NOT NULL) DESC,
                     inv.disconnect_date ASC NULLS LAST) n
          FROM svc JOIN inv ON inv.carrier = svc.carrier AND inv.service_id = svc.sid AND inv.account IN ('', svc.account))
        WHERE n = 1 AND status = 'disconnected' AND dd IS NOT NULL),
-- monthly: only the rows that recur (recurring, surcharge, tax) of the latest period
dis AS (SELECT 'DIS001', CAST(id AS VARCHAR), amt, CASE WHEN is_lat AND ct IN ('recurring','surcharge','tax') THEN amt ELSE 0 END,
        carrier, idate FROM rl
        JOIN rule_line USING (carrier, account, sid) WHERE rl.ps > rule_line.dd AND rl.amt > 0),
-- RAT001: the contract naming the account beats a carrier-wide one, then the lowest rate
rat AS (SELECT 'RAT001', CAST(id AS VARCHAR), o, CASE WHEN is_lat THEN o ELSE 0 END, carrier, idate FROM (
          SELECT rl.id, rl.is_lat, rl.carrier, rl.idate, CASE WHEN rl.ur IS NOT NULL THEN (rl.ur - k.amount) * rl.qty
                                        ELSE rl.amt - k.amount * rl.qty END o,
                 row_number() OVER (PARTITION BY rl.id ORDER BY (k.account = '') ASC, k.amount ASC) n
          FROM rl JOIN k
          ON k.kind='rate' AND k.carrier=rl.carrier AND k.code=rl.code AND (k.account='' OR k.account=rl.account)
          AND rl.ps BETWEEN k.ef AND k.et WHERE rl.ct IN ('recurring','usage','one_time') AND rl.qty > 0) WHERE n = 1 AND o > 0),
-- CRD001: a credit owed for a period the account was billed, minus the credit rows given
kc0 AS (SELECT k.*, p.account AS acct, p.ps, p.back FROM k JOIN per p ON p.carrier=k.carrier AND (k.account='' OR k.account=p.account)
       WHERE k.kind='credit' AND p.ps BETWEEN k.ef AND k.et),
kc AS (SELECT * FROM (SELECT kc0.*, row_number() OVER (PARTITION BY carrier, acct, sid, ps, code
          ORDER BY (account = '') ASC, amount DESC) n FROM kc0) WHERE n = 1),
billed AS (SELECT DISTINCT carrier, account, sid, ps FROM r),
-- a missing credit is dated by the latest invoice_date of its account's rows of that period
crd AS (SELECT 'CRD001', concat_ws('|', kc.carrier, kc.acct, kc.sid, kc.ps, kc.code), s, CASE WHEN kc.back=1 THEN s ELSE 0 END,
          kc.carrier, (SELECT max(idate) FROM r WHERE r.carrier=kc.carrier AND r.account=kc.acct AND r.ps=kc.ps) FROM (
          SELECT kc.*, kc.amount + coalesce((SELECT sum(amt) FROM r WHERE r.carrier=kc.carrier AND r.account=kc.acct AND r.sid=kc.sid
                 AND r.ps=kc.ps AND r.ct='credit' AND r.code=kc.code), 0) s FROM kc
          WHERE kc.sid='' OR EXISTS (SELECT 1 FROM billed b WHERE b.carrier=kc.carrier AND b.account=kc.acct AND b.sid=kc.sid AND b.ps=kc.ps)) kc
        WHERE s > 0),
-- TAX001 (tax-exempt clients only) and FEE001
tax AS (SELECT 'TAX001', CAST(id AS VARCHAR), amt, CASE WHEN is_lat THEN amt ELSE 0 END, carrier, idate FROM rl
        WHERE {str(exempt).upper()} AND ct='tax' AND amt > 0 AND regexp_matches(descr, '(?i)(federal excise|state sales|local sales|sales tax|excise tax)')),
fee AS (SELECT 'FEE001', CAST(id AS VARCHAR), amt, 0, carrier, idate FROM r WHERE amt > 0 AND (regexp_matches(descr, '(?i)\\blate\\s+(payment\\s+)?(fee|charge)') OR upper(code)='LATE')),
claims AS (SELECT * FROM dup UNION ALL SELECT * FROM unu UNION ALL SELECT * FROM dis UNION ALL SELECT * FROM rat
           UNION ALL SELECT * FROM crd UNION ALL SELECT * FROM tax UNION ALL SELECT * FROM fee)
SELECT rule, key, rec, mon, carrier, idate FROM claims
"""
    con.execute("CREATE TABLE c0 AS " + sql)
    # Dispute windows (formats.md section 9): a claim dated before the as-of date (the
    # latest invoice_date) minus its carrier's window has expired: its recoverable
    # moves to `expired`. Without [disputes] nothing expires.
    disputes = cfg.get("disputes")
    con.execute("CREATE TABLE win (carrier VARCHAR, days INTEGER)")
    default = "NULL"
    if disputes is not None:
        default = str(int(disputes["window_days"])) if "window_days" in disputes else "NULL"
        for name, days in disputes.get("carriers", {}).items():
            con.execute("INSERT INTO win VALUES (?, ?)", [name, int(days)])
    con.execute(f"""CREATE TABLE c AS SELECT rule, key, CASE WHEN x THEN 0 ELSE rec END rec, mon,
          CASE WHEN x THEN rec ELSE 0 END expired FROM (
          SELECT c0.*, coalesce(CAST(c0.idate AS DATE) < (SELECT CAST(max(idate) AS DATE) FROM r)
                 - coalesce(win.days, {default}), false) x
          FROM c0 LEFT JOIN win USING (carrier))""")
    # Totals: per claimed row (or missing credit) the largest recoverable and the largest monthly, once.
    tot = con.execute("""SELECT sum(r), sum(m), sum(e) FROM (SELECT key, max(rec) r, max(mon) m, max(expired) e
                         FROM c GROUP BY key)""").fetchone()
    rules = con.execute("SELECT rule, sum(rec), sum(mon) FROM c GROUP BY rule ORDER BY rule").fetchall()
    rows, billed = con.execute("SELECT count(*), sum(amt) FROM r").fetchone()

    def f2(x):
        x = Decimal(str(x or 0))
        if exact:
            return str(x)
        s = str(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))  # half away from zero
        return "0.00" if s == "-0.00" else s

    print(json.dumps({"input": {"rows": rows, "billed_total": f2(billed)},
                      "totals": {"recoverable": f2(tot[0]), "monthly": f2(tot[1]), "expired": f2(tot[2])},
                      "by_rule": {k: [f2(a), f2(b)] for k, a, b in rules}}))


if __name__ == "__main__":
    main()
