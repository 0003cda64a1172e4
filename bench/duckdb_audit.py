#!/usr/bin/env python3
"""The baseline: telaudit's default rule table as DuckDB SQL, over a client folder.

This is what a TEM analyst with DuckDB would write instead of using telaudit, and the
independent check of telaudit's figures: bench/check_totals.py compares its output with
report.json to the cent. It reads canonical charge CSV (what `telaudit generate`
writes: invoices/**/*.csv, inventory.csv, contracts.csv, plans.csv, utilization.csv,
client.toml) and the Rogers exports of `telaudit generate --rogers` (rogers_rows);
X12 811, the other carrier layouts and BAL001 are telaudit's alone. PLN001, CIR001
and ZOM001 follow optimization.md section 3 with the default rule files' low = 0.30 and
high = 0.70: the current plan or tier costs what the bill charges for its row, and a
utilization line counts for the billed period that holds its date; POL001 its section 3b
(a pool leaves out the services this script's UNU001, DIS001 and ZOM001 find). docs/rules.md and docs/formats.md ("Rule
semantics") give the rules this restates.

Usage: duckdb_audit.py CLIENT_DIR [--threads N] [--exact]

Prints JSON: input.rows, input.billed_total, totals.recoverable, totals.monthly,
totals.expired (found too late to claim: client.toml [disputes], as of the latest
invoice_date) and
by_rule {rule: [recoverable, monthly]}, and with a claims.csv (docs/recovery.md) the
recovery object's figures: claims, claimed, recovered, outstanding, denied, overdue,
overdue_amount, covered, unclaimed, ambiguous_credits, unmatched_credits. Figures are
rounded half away from zero to the cent as telaudit rounds; with --exact they are the
unrounded decimals.

The ledger: each claim row (and missing credit) carries the finding key of its rule's
finding (the rule id, carrier, account, service_id and the rule's own parts, `|`-joined,
a `\\` or `|` inside a part escaped); a key belongs to the rule with the largest
claim on it (ties: the smaller rule id); a claim of claims.csv naming that finding key,
filed on or after the key's date and by the as-of date, covers it, and the key's
dispute window is judged from the earliest such filing. Matching credits to claims is
sequential (each credit changes what the next may pay), so it is a loop over the
credits SQL selects and orders, as an analyst would write it.
"""
import csv
import datetime
import json
import os
import sys
import tomllib
from decimal import ROUND_HALF_UP, Decimal

import duckdb


ROGERS_CLASSES = [
    ("Monthly Service Fee", "recurring"),
    ("Data Monthly Service Fee", "recurring"),
    ("Canadian Long Distance Charge", "usage"),
    ("Credits and Discounts", "credit"),
    ("GST", "tax"), ("PST", "tax"), ("HST", "tax"), ("QST", "tax"),
]


def rogers_rows(d):
    """The rows of the Rogers exports `telaudit generate --rogers` writes
    (docs/formats.md, "Rogers" and "Usage from call detail"), as tests/oracle reads
    them: the Custom report's non-zero classes as charges (invoice
    <account>-<MMDDYYYY>, dated on the cycle end; the cycle starts the day after the
    same day a month before); the call detail summed per export, line, cycle and kind
    (data KB / 1,048,576 = GB, seconds / 60 = minutes, messages counted; half away
    from zero to 6 places), only for a cycle its account is billed in (call detail
    of any other cycle is set aside); and every line billed in an account's cycle
    that no export lists in a kind a home (not roaming) export of that account and
    cycle measures, at 0. Rows are (carrier, account, sid, idate, ct, code, descr,
    ps, pe, amt, qty, ur, uq, unit, cd), cd true for call detail's usage rows (no
    bill row). Also returns the lines not measured: (carrier, account, sid, ps) of
    every line of an account that call detail names, in each billed cycle whose
    home exports do not measure all three kinds (data, voice, messages): the Custom
    report carries no usage, so call detail alone measures a Rogers line."""
    customs, details = [], []
    for root, _, files in os.walk(os.path.join(d, "invoices")):
        for f in files:
            if f.startswith("ALL_CALLS-Custom"):
                customs.append(os.path.join(root, f))
            elif f.startswith("ALL_CALLS-"):
                details.append(os.path.join(root, f))
    rows, billed = [], {}
    for p in sorted(customs):
        lines = open(p, encoding="latin-1").read().splitlines()
        names = lines[2].split("|")
        for line in lines[3:]:
            m = dict(zip(names, line.split("|")))
            end = m["Billing Period End Date"]
            mo, dd, y = int(end[:2]), int(end[2:4]), int(end[4:])
            py, pm = (y - 1, 12) if mo == 1 else (y, mo - 1)
            ps, pe = f"{py:04d}-{pm:02d}-{dd + 1:02d}", f"{y:04d}-{mo:02d}-{dd:02d}"
            acct, sid = m["Billing Account"], m["User Number"]
            billed.setdefault((acct, ps), [set(), pe])[0].add(sid)
            for col, ct in ROGERS_CLASSES:
                amt = Decimal(m.get(col, "0"))
                if amt != 0:
                    rows.append(("Rogers", acct, sid, pe, ct, "", col, ps, pe, amt, Decimal(1), None, None, "",
                                 False))
    sums, measured = {}, set()
    for p in sorted(details):
        folder = os.path.dirname(p)
        (header,) = [f for f in os.listdir(folder) if f.startswith("Header-")]
        head = [h for h in open(os.path.join(folder, header), encoding="latin-1").read().splitlines()]
        kind_name, period = head[0].split(" Type : ")
        names = [h.rsplit(",", 2)[0] for h in head[1:] if h.strip()]
        start = period.split(" - ")[0]
        ps = f"{start[6:10]}-{start[0:2]}-{start[3:5]}"
        kind, column, roaming = {"GPRS": ("data", "Volume (KB)", False), "SMS": ("messages", None, False),
                                 "Voice": ("voice", "Seconds", False), "Voice-RM": ("voice", "Seconds", True)}[kind_name]
        for line in open(p, encoding="latin-1").read().splitlines():
            m = dict(zip(names, line.split("|")))
            if (m["BAN"], ps) not in billed:
                continue  # no bill of its account for that cycle: set aside
            key = (p, m["BAN"], m["User Number"], ps, kind)
            sums[key] = sums.get(key, Decimal(0)) + (Decimal(m[column]) if column else Decimal(1))
            if not roaming:
                measured.add((m["BAN"], ps, kind))
    six = Decimal("0.000001")
    per = {"data": Decimal(1048576), "voice": Decimal(60), "messages": Decimal(1)}
    units = {"data": "GB", "voice": "min", "messages": "msg"}

    def usage(acct, sid, ps, kind, q):
        pe = billed[(acct, ps)][1]
        uq = (q / per[kind]).quantize(six, rounding=ROUND_HALF_UP)  # half away from zero
        rows.append(("Rogers", acct, sid, pe, "usage", "", f"{kind} use", ps, pe, Decimal(0), Decimal(1), None, uq,
                     units[kind], True))

    listed = set()
    for (_, acct, sid, ps, kind), q in sorted(sums.items()):
        usage(acct, sid, ps, kind, q)
        listed.add((acct, sid, ps, kind))
    for acct, ps, kind in sorted(measured):
        for sid in sorted(billed[(acct, ps)][0]):
            if (acct, sid, ps, kind) not in listed:
                usage(acct, sid, ps, kind, Decimal(0))
    named = {k[1] for k in sums}
    lines = {}
    for (acct, _), (sids, _) in billed.items():
        lines.setdefault(acct, set()).update(sids)
    for (_, acct, sid, _, _) in sums:
        lines.setdefault(acct, set()).add(sid)
    unmeasured = sorted({("Rogers", acct, sid, ps) for (acct, ps) in billed if acct in named
                         and any((acct, ps, k) not in measured for k in ("data", "voice", "messages"))
                         for sid in lines[acct]})
    return rows, unmeasured
def esc(col):
    """A finding key part in SQL: `\\` and `|` inside it escaped with a `\\`."""
    return "replace(replace(" + col + r", '\', '\\'), '|', '\|')"


def fkey(rule, *cols):
    """The SQL of a finding key: the rule id, then each column escaped, `|`-joined."""
    return " || '|' || ".join([f"'{rule}'"] + [esc(c) for c in cols])


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
CREATE TABLE r AS SELECT row_number() OVER () AS id, carrier, account, invoice, coalesce(service_id,'') AS sid,
  invoice_date AS idate,
  lower(trim(charge_type)) AS ct, coalesce(charge_code,'') AS code, description AS descr,
  period_start AS ps, period_end AS pe,
  CAST(amount AS DECIMAL(38,6)) AS amt,
  coalesce(CAST(nullif(quantity,'') AS DECIMAL(38,6)), 1) AS qty,
  CAST(nullif(unit_rate,'') AS DECIMAL(38,6)) AS ur,
  CAST(nullif(usage_quantity,'') AS DECIMAL(38,6)) AS uq, coalesce(usage_unit,'') AS unit
FROM read_csv('{inv}', union_by_name=true, all_varchar=true, header=true, delim=',', quote='"', escape='"')""")
    # cd: a usage row read from call detail (no bill row: it never shows a period billed)
    con.execute("ALTER TABLE r ADD COLUMN cd BOOLEAN DEFAULT false")
    rogers, unmeasured = rogers_rows(d)
    if rogers:
        (last,) = con.execute("SELECT coalesce(max(id), 0) FROM r").fetchone()
        con.executemany("INSERT INTO r (id, carrier, account, sid, idate, ct, code, descr, ps, pe, amt, qty, ur, uq, unit, "
                        "cd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(last + 1 + i,) + row for i, row in enumerate(rogers)])
    # unm: the lines call detail could not measure in a billed period (never unused there)
    con.execute("CREATE TABLE unm (carrier VARCHAR, account VARCHAR, sid VARCHAR, ps VARCHAR)")
    if unmeasured:
        con.executemany("INSERT INTO unm VALUES (?, ?, ?, ?)", unmeasured)
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
          coalesce(effective_from,'0000') ef, coalesce(effective_to,'9999') et, row_number() OVER () line
          FROM read_csv('{con_csv.replace("'", "''")}', all_varchar=true, header=true)""")
    else:
        con.execute("CREATE TABLE k (kind VARCHAR, carrier VARCHAR, account VARCHAR, sid VARCHAR, code VARCHAR, amount DECIMAL(38,6), ef VARCHAR, et VARCHAR, line BIGINT)")
    # plans.csv and utilization.csv (optimization.md sections 1 and 2), well-formed input only.
    pl_csv, ut_csv = os.path.join(d, "plans.csv"), os.path.join(d, "utilization.csv")
    if os.path.exists(pl_csv):
        con.execute(f"""CREATE TABLE pl AS SELECT lower(trim(kind)) kind, carrier, code,
          CAST(monthly AS DECIMAL(38,6)) monthly, CAST(nullif(allowance,'') AS DECIMAL(38,6)) allowance,
          coalesce(usage_unit,'') unit, coalesce(CAST(nullif(overage_rate,'') AS DECIMAL(38,6)), 0) ovr,
          CAST(nullif(bandwidth_mbps,'') AS DECIMAL(38,6)) bw,
          coalesce(effective_from,'0000') ef, coalesce(effective_to,'9999') et, row_number() OVER () line
          FROM read_csv('{pl_csv.replace("'", "''")}', all_varchar=true, header=true)""")
    else:
        con.execute("CREATE TABLE pl (kind VARCHAR, carrier VARCHAR, code VARCHAR, monthly DECIMAL(38,6), "
                    "allowance DECIMAL(38,6), unit VARCHAR, ovr DECIMAL(38,6), bw DECIMAL(38,6), ef VARCHAR, "
                    "et VARCHAR, line BIGINT)")
    if os.path.exists(ut_csv):
        con.execute(f"""CREATE TABLE ut AS SELECT carrier, service_id sid, period_start ps,
          greatest(CAST(p95_in_mbps AS DECIMAL(38,6)), CAST(p95_out_mbps AS DECIMAL(38,6))) peak
          FROM read_csv('{ut_csv.replace("'", "''")}', all_varchar=true, header=true)""")
    else:
        con.execute("CREATE TABLE ut (carrier VARCHAR, sid VARCHAR, ps VARCHAR, peak DECIMAL(38,6))")
    has_inv = str(os.path.exists(inv_csv)).upper()
    sql = f"""
-- per: an account's periods, newest first (back = 1 is its latest period_start)
WITH per AS (SELECT carrier, account, ps, dense_rank() OVER (PARTITION BY carrier, account ORDER BY ps DESC) AS back
             FROM (SELECT DISTINCT carrier, account, ps FROM r)),
lat AS (SELECT carrier, account, ps FROM per WHERE back = 1),
-- le: the latest period's end; a contract whose effective_to is not after it claims no
-- monthly money (formats.md section 6: the next bill falls outside it)
le AS (SELECT carrier, account, max(pe) le FROM r JOIN lat USING (carrier, account, ps) WHERE NOT cd GROUP BY ALL),
-- cp: the copies, every row of the same charge after the first (DUP001 claims them)
cp AS (SELECT id, fcar FROM (
          SELECT id, amt, row_number() OVER (PARTITION BY account, sid, ct, code, descr, ps, pe, qty, amt ORDER BY id) n,
                 first_value(carrier) OVER (PARTITION BY account, sid, ct, code, descr, ps, pe, qty, amt ORDER BY id) fcar
          FROM r WHERE ct IN ('recurring','one_time','usage','fee','surcharge') AND amt > 0) WHERE n > 1),
-- is_lat: the row bills its account's latest period and is not a copy (a copy is a
-- one-time error: no rule claims monthly money on it, formats.md section 6)
rl AS (SELECT r.*, (r.ps = lat.ps AND cp.id IS NULL) AS is_lat FROM r JOIN lat USING (carrier, account)
       LEFT JOIN (SELECT id FROM cp) cp USING (id)),
-- DUP001: every copy is recoverable
-- (the finding key's carrier is the first row's: one finding per service and charge)
dup AS (SELECT 'DUP001' rule, CAST(id AS VARCHAR) key, amt rec, 0::DECIMAL(38,6) mon, carrier, idate,
        {fkey('DUP001', 'fcar', 'account', 'sid', 'code', 'descr')} fkey
        FROM cp JOIN r USING (id)),
-- UNU001: recurring charges in the latest period of a service with usage rows but none > 0 in its 3 latest
-- periods; the account must have at least 3 periods (one idle bill is no evidence)
svc_usage AS (SELECT carrier, account, sid FROM r JOIN (SELECT carrier, account FROM per WHERE back = 3) p3
              USING (carrier, account) WHERE ct='usage' AND sid<>'' GROUP BY ALL),
svc_used3 AS (SELECT DISTINCT r.carrier, r.account, r.sid FROM r JOIN per USING (carrier, account, ps)
              WHERE per.back <= 3 AND r.ct='usage' AND coalesce(r.uq,0) > 0),
-- not measured in a period of the window (call detail that lacks a kind): never unused
svc_unm3 AS (SELECT DISTINCT unm.carrier, unm.account, unm.sid FROM unm JOIN per USING (carrier, account, ps)
             WHERE per.back <= 3),
unu AS (SELECT 'UNU001', CAST(id AS VARCHAR), 0, amt, carrier, idate, NULL::VARCHAR FROM rl JOIN svc_usage USING (carrier, account, sid)
        ANTI JOIN svc_used3 USING (carrier, account, sid) ANTI JOIN svc_unm3 USING (carrier, account, sid)
        WHERE rl.ct='recurring' AND rl.is_lat),
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
        carrier, idate, {fkey('DIS001', 'carrier', 'account', 'sid')} FROM rl
        JOIN rule_line USING (carrier, account, sid) WHERE rl.ps > rule_line.dd AND rl.amt > 0),
-- RAT001: the contract naming the account beats a carrier-wide one, then the lowest rate
rat AS (SELECT 'RAT001', CAST(id AS VARCHAR), o, CASE WHEN is_lat AND et > le.le THEN o ELSE 0 END, carrier, idate,
          {fkey('RAT001', 'carrier', 'account', 'sid', 'code')} FROM (
          SELECT rl.id, rl.is_lat, rl.carrier, rl.account, rl.sid, rl.code, rl.idate, k.et, CASE WHEN rl.ur IS NOT NULL THEN (rl.ur - k.amount) * rl.qty
                                        ELSE rl.amt - k.amount * rl.qty END o,
                 row_number() OVER (PARTITION BY rl.id ORDER BY (k.account = '') ASC, k.amount ASC, k.line ASC) n
          FROM rl JOIN k
          ON k.kind='rate' AND k.carrier=rl.carrier AND k.code=rl.code AND (k.account='' OR k.account=rl.account)
          AND rl.ps BETWEEN k.ef AND k.et WHERE rl.ct IN ('recurring','usage','one_time') AND rl.qty > 0) x
        JOIN le USING (carrier, account) WHERE n = 1 AND o > 0),
-- CRD001: a credit owed for a period the account was billed, minus the credit rows given
kc0 AS (SELECT k.*, p.account AS acct, p.ps, p.back FROM k JOIN per p ON p.carrier=k.carrier AND (k.account='' OR k.account=p.account)
       WHERE k.kind='credit' AND p.ps BETWEEN k.ef AND k.et),
kc AS (SELECT * FROM (SELECT kc0.*, row_number() OVER (PARTITION BY carrier, acct, sid, ps, code
          ORDER BY (account = '') ASC, amount DESC) n FROM kc0) WHERE n = 1),
billed AS (SELECT DISTINCT carrier, account, sid, ps FROM r WHERE NOT cd),
-- a missing credit is dated by the latest invoice_date of its account's rows of that period
crd AS (SELECT 'CRD001', concat_ws('|', kc.carrier, kc.acct, kc.sid, kc.ps, kc.code), s,
          CASE WHEN kc.back=1 AND kc.et > (SELECT le FROM le WHERE le.carrier=kc.carrier AND le.account=kc.acct) THEN s ELSE 0 END,
          kc.carrier, (SELECT max(idate) FROM r WHERE r.carrier=kc.carrier AND r.account=kc.acct AND r.ps=kc.ps AND NOT r.cd),
          {fkey('CRD001', 'kc.carrier', 'kc.acct', 'kc.sid', 'kc.code', 'kc.account', "CASE WHEN kc.ef = '0000' THEN '' ELSE kc.ef END")}
          FROM (
          SELECT kc.*, kc.amount + coalesce((SELECT sum(amt) FROM r WHERE r.carrier=kc.carrier AND r.account=kc.acct AND r.sid=kc.sid
                 AND r.ps=kc.ps AND r.ct='credit' AND r.code=kc.code), 0) s FROM kc
          WHERE kc.sid='' OR EXISTS (SELECT 1 FROM billed b WHERE b.carrier=kc.carrier AND b.account=kc.acct AND b.sid=kc.sid AND b.ps=kc.ps)) kc
        WHERE s > 0),
-- TAX001 (tax-exempt clients only) and FEE001
tax AS (SELECT 'TAX001', CAST(id AS VARCHAR), amt, CASE WHEN is_lat THEN amt ELSE 0 END, carrier, idate,
        {fkey('TAX001', 'carrier', 'account', 'sid', 'descr')} FROM rl
        WHERE {str(exempt).upper()} AND ct='tax' AND amt > 0 AND regexp_matches(descr, '(?i)(federal excise|state sales|local sales|sales tax|excise tax)')),
fee AS (SELECT 'FEE001', CAST(id AS VARCHAR), amt, 0, carrier, idate, {fkey('FEE001', 'carrier', 'account', 'sid', 'descr')} FROM r WHERE amt > 0 AND (regexp_matches(descr, '(?i)\\blate\\s+(payment\\s+)?(fee|charge)') OR upper(code)='LATE')),
-- PLN001, POL001, CIR001: a service's one latest-period recurring row with a catalogue code of the kind;
-- its entry: the one on offer in the latest period, else the first in file order; b: what the
-- bill charges for that row (the current plan costs b a month, not the catalogue's price)
pr0 AS (SELECT rl.id, rl.carrier, rl.account, rl.sid, rl.code, k.kind, rl.amt, rl.amt AS b FROM rl
       JOIN (SELECT DISTINCT carrier, code, kind FROM pl) k ON k.carrier = rl.carrier AND k.code = rl.code
       WHERE rl.is_lat AND rl.ct = 'recurring' AND rl.sid <> ''),
-- plan rows of both `plan` and `pool` entries: judged by neither PLN001 nor POL001 (section 3b)
pboth AS (SELECT carrier, account, sid FROM pr0 WHERE kind IN ('plan', 'pool') GROUP BY ALL
         HAVING count(DISTINCT kind) = 2),
pr AS (SELECT * FROM pr0 WHERE kind = 'circuit' OR NOT EXISTS (SELECT 1 FROM pboth b WHERE b.carrier = pr0.carrier
         AND b.account = pr0.account AND b.sid = pr0.sid)
       QUALIFY count(*) OVER (PARTITION BY carrier, account, sid, kind) = 1),
pp AS (SELECT pr.*, pl.monthly, pl.allowance, pl.unit, pl.ovr, pl.bw, lat.ps AS latest
       FROM pr JOIN lat USING (carrier, account) JOIN pl ON pl.carrier = pr.carrier AND pl.code = pr.code AND pl.kind = pr.kind
       QUALIFY row_number() OVER (PARTITION BY pr.id, pr.kind ORDER BY (lat.ps BETWEEN pl.ef AND pl.et) DESC, pl.line) = 1),
win AS (SELECT carrier, account, ps FROM per WHERE back <= 3),
nper AS (SELECT carrier, account FROM per GROUP BY ALL HAVING count(*) >= 3),
ppl AS (SELECT * FROM pp WHERE kind = 'plan'),
pu AS (SELECT ppl.id, w.ps, sum(CASE WHEN ucp.id IS NULL THEN coalesce(r.uq, 0) ELSE 0 END) u, count(r.id) n
       FROM ppl JOIN nper USING (carrier, account) JOIN win w USING (carrier, account)
       LEFT JOIN r ON r.carrier = ppl.carrier AND r.account = ppl.account AND r.sid = ppl.sid AND r.ps = w.ps
                  AND r.ct = 'usage' AND r.unit = ppl.unit
       LEFT JOIN cp ucp ON ucp.id = r.id  -- a copy bills the same use twice: not more use
       GROUP BY ppl.id, w.ps),
pc AS (SELECT pu.id, pu.ps, p.b + p.ovr * greatest(0, pu.u - p.allowance) cp, q.code qcode, q.monthly qm,
              q.monthly + q.ovr * greatest(0, pu.u - q.allowance) cq
       FROM pu JOIN ppl p USING (id) JOIN pl q ON q.kind = 'plan' AND q.carrier = p.carrier AND q.unit = p.unit
            AND q.code <> p.code AND p.latest BETWEEN q.ef AND q.et
       WHERE pu.id IN (SELECT id FROM pu GROUP BY id HAVING min(n) > 0)),
pq AS (SELECT id, qcode, qm, sum(cq) s, min(cp - cq) save FROM pc GROUP BY id, qcode, qm HAVING bool_and(cq < cp)),
pln AS (SELECT 'PLN001', CAST(id AS VARCHAR), 0, save, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR FROM pq
        QUALIFY row_number() OVER (PARTITION BY id ORDER BY s, qm, qcode) = 1),
ppc AS (SELECT * FROM pp WHERE kind = 'circuit'),
-- a load line counts for the billed period holding its date: period_start to the latest
-- period_end of the circuit's rows of that period
bp AS (SELECT ppc.id, w.ps, max(r.pe) pe FROM ppc JOIN nper USING (carrier, account) JOIN win w USING (carrier, account)
       LEFT JOIN r ON r.carrier = ppc.carrier AND r.account = ppc.account AND r.sid = ppc.sid AND r.ps = w.ps
       GROUP BY ppc.id, w.ps),
cw AS (SELECT bp.id, bp.ps, max(ut.peak) pk FROM bp JOIN ppc USING (id)
       LEFT JOIN ut ON ut.carrier = ppc.carrier AND ut.sid = ppc.sid AND ut.ps BETWEEN bp.ps AND bp.pe
       GROUP BY bp.id, bp.ps),
cok AS (SELECT cw.id, max(cw.pk) top FROM cw JOIN ppc USING (id) GROUP BY cw.id, ppc.bw
        HAVING count(cw.pk) = count(*) AND bool_and(cw.pk < 0.30 * ppc.bw)),
cir AS (SELECT 'CIR001', CAST(c.id AS VARCHAR), 0, c.b - t.monthly, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR
        FROM (SELECT ppc.*, cok.top FROM ppc JOIN cok USING (id)) c
        JOIN pl t ON t.kind = 'circuit' AND t.carrier = c.carrier AND t.code <> c.code AND c.latest BETWEEN t.ef AND t.et
             AND t.monthly < c.b AND c.top <= 0.70 * t.bw
        QUALIFY row_number() OVER (PARTITION BY c.id ORDER BY t.monthly, t.bw DESC, t.code) = 1),
-- POL001 (section 3b): an account's pool per unit, leaving out the services idle (UNU001), billed after
-- their disconnect date (DIS001) or untracked (ZOM001) by those rules' definitions above
idle AS (SELECT carrier, account, sid FROM svc_usage ANTI JOIN svc_used3 USING (carrier, account, sid)
         ANTI JOIN svc_unm3 USING (carrier, account, sid)),
disc AS (SELECT DISTINCT rl.carrier, rl.account, rl.sid FROM rl JOIN rule_line USING (carrier, account, sid)
         WHERE rl.ps > rule_line.dd AND rl.amt > 0),
untr AS (SELECT carrier, account, sid FROM svc WHERE {has_inv} AND carrier IN (SELECT carrier FROM inv)
         AND NOT EXISTS (SELECT 1 FROM inv WHERE inv.carrier = svc.carrier AND inv.service_id = svc.sid
                         AND inv.account IN ('', svc.account))),
pm AS (SELECT pp.* FROM pp JOIN nper USING (carrier, account) ANTI JOIN idle USING (carrier, account, sid)
       ANTI JOIN disc USING (carrier, account, sid) ANTI JOIN untr USING (carrier, account, sid) WHERE pp.kind = 'pool'),
pmu AS (SELECT pm.id, w.ps, sum(CASE WHEN ucp.id IS NULL THEN coalesce(r.uq, 0) ELSE 0 END) u, count(r.id) n
        FROM pm JOIN win w USING (carrier, account)
        LEFT JOIN r ON r.carrier = pm.carrier AND r.account = pm.account AND r.sid = pm.sid AND r.ps = w.ps
                   AND r.ct = 'usage' AND r.unit = pm.unit
        LEFT JOIN cp ucp ON ucp.id = r.id
        GROUP BY pm.id, w.ps),
-- a pool is judged only with 2 services or more, each with a usage row in the unit in every window period
gap AS (SELECT DISTINCT pm.carrier, pm.account, pm.unit FROM pm JOIN pmu USING (id) WHERE pmu.n = 0),
pool AS (SELECT carrier, account, unit, count(*) n, sum(amt) b, sum(allowance) a, max(ovr) o, any_value(latest) latest
         FROM pm ANTI JOIN gap USING (carrier, account, unit) GROUP BY carrier, account, unit HAVING count(*) >= 2),
poolu AS (SELECT pm.carrier, pm.account, pm.unit, pmu.ps, sum(pmu.u) u FROM pm JOIN pmu USING (id) GROUP BY ALL),
polc AS (SELECT p.carrier, p.account, p.unit, p.n, u.ps, p.b + p.o * greatest(0, u.u - p.a) c, q.code qcode,
                q.monthly qm, p.n * q.monthly + q.ovr * greatest(0, u.u - p.n * q.allowance) cq
         FROM pool p JOIN poolu u USING (carrier, account, unit)
         JOIN pl q ON q.kind = 'pool' AND q.carrier = p.carrier AND q.unit = p.unit AND p.latest BETWEEN q.ef AND q.et),
polq AS (SELECT carrier, account, unit, n, qcode, qm, sum(cq) s, min(c - cq) save FROM polc
         GROUP BY carrier, account, unit, n, qcode, qm HAVING bool_and(cq < c)),
-- the least summed cost, then the lower monthly, then the smaller code; each plan row claims the saving / n
-- rounded down to the cent, the last row (path and line order) the rest
polb AS (SELECT *, CAST(CAST(floor(save * 100) AS HUGEINT) // n AS DECIMAL(38,2)) * 0.01 share FROM polq
         QUALIFY row_number() OVER (PARTITION BY carrier, account, unit ORDER BY s, qm, qcode) = 1),
pol AS (SELECT 'POL001', CAST(pm.id AS VARCHAR), 0,
          CASE WHEN row_number() OVER (PARTITION BY pm.carrier, pm.account, pm.unit ORDER BY pm.id DESC) = 1
               THEN b.save - (b.n - 1) * b.share ELSE b.share END, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR
        FROM pm JOIN polb b USING (carrier, account, unit)),
-- ZOM001: billed in the latest period, not in inventory.csv (which lists the carrier); any line naming it counts
zom AS (SELECT 'ZOM001', CAST(id AS VARCHAR), 0, amt, carrier, idate, NULL::VARCHAR FROM rl
        WHERE {has_inv} AND rl.is_lat AND rl.ct = 'recurring' AND rl.sid <> '' AND rl.amt > 0
          AND rl.carrier IN (SELECT carrier FROM inv)
          AND NOT EXISTS (SELECT 1 FROM inv WHERE inv.carrier = rl.carrier AND inv.service_id = rl.sid
                          AND inv.account IN ('', rl.account))),
claims AS (SELECT * FROM dup UNION ALL SELECT * FROM unu UNION ALL SELECT * FROM dis UNION ALL SELECT * FROM rat
           UNION ALL SELECT * FROM crd UNION ALL SELECT * FROM tax UNION ALL SELECT * FROM fee
           UNION ALL SELECT * FROM pln UNION ALL SELECT * FROM pol UNION ALL SELECT * FROM cir UNION ALL SELECT * FROM zom)
SELECT rule, key, rec, mon, carrier, idate, fkey FROM claims
"""
    con.execute("CREATE TABLE c0 AS " + sql)
    # The ledger (docs/recovery.md): the claim covering each key, by the finding
    # that owns the key (the largest claim; ties: the smaller rule id).
    led_csv = os.path.join(d, "claims.csv")
    has_ledger = os.path.exists(led_csv)
    if has_ledger:
        con.execute(f"""CREATE TABLE led AS SELECT row_number() OVER () n, claim_id, carrier, account,
          coalesce(service_id,'') sid, coalesce(finding_key,'') fkey, filed_on, CAST(amount AS DECIMAL(38,6)) amount,
          lower(trim(coalesce(status,'open'))) status
          FROM read_csv('{led_csv.replace("'", "''")}', all_varchar=true, header=true)""")
    else:
        con.execute("CREATE TABLE led (n BIGINT, claim_id VARCHAR, carrier VARCHAR, account VARCHAR, sid VARCHAR, "
                    "fkey VARCHAR, filed_on VARCHAR, amount DECIMAL(38,6), status VARCHAR)")
    con.execute("""CREATE TABLE cov AS SELECT o.key, min(led.filed_on) filed_on FROM
          (SELECT key, fkey, idate FROM c0 WHERE rec > 0
           QUALIFY row_number() OVER (PARTITION BY key ORDER BY rec DESC, rule) = 1) o
          JOIN led ON led.fkey <> '' AND led.fkey = o.fkey AND led.filed_on >= o.idate
                  AND led.filed_on <= (SELECT max(idate) FROM r WHERE NOT cd)
          GROUP BY o.key""")
    # Dispute windows (formats.md section 9): a claim dated before the as-of date (the
    # latest invoice_date; for a covered key, its covering claim's filing date) minus
    # its carrier's window has expired: its recoverable moves to `expired`. Without
    # [disputes] nothing expires.
    disputes = cfg.get("disputes")
    con.execute("CREATE TABLE win (carrier VARCHAR, days INTEGER)")
    default = "NULL"
    if disputes is not None:
        default = str(int(disputes["window_days"])) if "window_days" in disputes else "NULL"
        for name, days in disputes.get("carriers", {}).items():
            con.execute("INSERT INTO win VALUES (?, ?)", [name, int(days)])
    con.execute(f"""CREATE TABLE c AS SELECT rule, key, CASE WHEN x THEN 0 ELSE rec END rec, mon,
          CASE WHEN x THEN rec ELSE 0 END expired FROM (
          SELECT c0.*, coalesce(CAST(c0.idate AS DATE) < CAST(coalesce(cov.filed_on, (SELECT max(idate) FROM r WHERE NOT cd)) AS DATE)
                 - coalesce(win.days, {default}), false) x
          FROM c0 LEFT JOIN win USING (carrier) LEFT JOIN cov USING (key))""")
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

    out = {"input": {"rows": rows, "billed_total": f2(billed)},
           "totals": {"recoverable": f2(tot[0]), "monthly": f2(tot[1]), "expired": f2(tot[2])},
           "by_rule": {k: [f2(a), f2(b)] for k, a, b in rules}}
    if has_ledger:
        covered = con.execute("""SELECT sum(r) FROM (SELECT key, max(rec) r FROM c GROUP BY key)
                                 WHERE key IN (SELECT key FROM cov)""").fetchone()[0] or Decimal(0)
        rec = recovery(con, cfg)
        rec["covered"] = covered
        rec["unclaimed"] = Decimal(str(tot[0] or 0)) - Decimal(str(covered))
        out["recovery"] = {k: (v if isinstance(v, int) else f2(v)) for k, v in rec.items()}
    print(json.dumps(out))


def whole_word_at(text, word):
    """Where `word` occurs in `text` as a whole word, ignoring case (the characters
    around it, where there are any, neither letters nor digits); None when nowhere."""
    t, w = text.lower(), word.lower()
    at = t.find(w)
    while at >= 0:
        before = t[at - 1] if at > 0 else ""
        after = t[at + len(w)] if at + len(w) < len(t) else ""
        if not before.isalnum() and not after.isalnum():
            return at
        at = t.find(w, at + 1)
    return None


def recovery(con, cfg):
    """Credits matched to the claims in the fixed order (docs/recovery.md sections 2
    to 4): a loop, since each credit changes what the next one may pay."""
    as_of = con.execute("SELECT max(idate) FROM r WHERE NOT cd").fetchone()[0]
    days = int(cfg.get("disputes", {}).get("response_days", 30))
    claims = con.execute("""SELECT claim_id, carrier, account, sid, filed_on, amount, status FROM led
                            WHERE filed_on <= ? ORDER BY n""", [as_of]).fetchall()
    credits = con.execute("""SELECT r.carrier, r.account, r.sid, r.idate, r.code, coalesce(r.descr, ''), r.amt FROM r
          WHERE r.ct IN ('credit', 'adjustment') AND r.amt < 0 AND r.idate <= ?
            AND (r.carrier, r.code) NOT IN (SELECT carrier, code FROM k WHERE kind = 'credit')
            AND (r.carrier, r.account) IN (SELECT carrier, account FROM led WHERE filed_on <= ?)
          ORDER BY r.idate, r.invoice, r.sid, r.code, r.descr, r.amt, r.id""", [as_of, as_of]).fetchall()
    got = [Decimal(0)] * len(claims)
    loose = {"ambiguous": Decimal(0), "unmatched": Decimal(0)}
    for carrier, account, sid, idate, code, descr, amt in credits:
        mine = [i for i, c in enumerate(claims) if c[1] == carrier and c[2] == account and c[4] <= idate]
        named = []
        for i in mine:
            at = whole_word_at(descr, claims[i][0])
            place = (0, at) if at is not None else (1, whole_word_at(code, claims[i][0]))
            if place[1] is not None:
                named.append((place[0], place[1], -len(claims[i][0]), i))
        if named:
            got[min(named)[3]] -= amt
            continue
        want = (-amt).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        fit = [i for i in mine if claims[i][6] == "open" and max(claims[i][5] - got[i], 0) > 0
               and max(claims[i][5] - got[i], 0) == want and (claims[i][3] == "" or sid == "" or claims[i][3] == sid)]
        if len(fit) == 1:
            got[fit[0]] -= amt
        else:
            loose["ambiguous" if fit else "unmatched"] -= amt
    day = datetime.date.fromisoformat
    out = {"claims": len(claims), "claimed": Decimal(0), "recovered": Decimal(0), "outstanding": Decimal(0),
           "denied": Decimal(0), "overdue": 0, "overdue_amount": Decimal(0),
           "ambiguous_credits": loose["ambiguous"], "unmatched_credits": loose["unmatched"]}
    for (_, _, _, _, filed, amount, status), g in zip(claims, got):
        left = Decimal(0) if status in ("denied", "withdrawn") else max(amount - g, Decimal(0))
        out["claimed"] += amount
        out["recovered"] += g
        out["outstanding"] += left
        if status == "denied":
            out["denied"] += amount
        elif status == "open" and g == 0 and (day(as_of) - day(filed)).days > days:
            out["overdue"] += 1
            out["overdue_amount"] += left
    return out


if __name__ == "__main__":
    main()
