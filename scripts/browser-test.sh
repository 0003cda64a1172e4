#!/usr/bin/env bash
# Renders a real client's report.html in headless Chromium and checks what a
# person would see: a screenshot that is not blank, a PDF, the headline figures
# of report.json in the rendered page, no network request from the page, the
# sample client's funding plan (chart and payback marker), and the sizes on a
# 1,300 px screen (the sample's report under 9,000 px tall, a batch's index.html
# without horizontal overflow).
#
# Usage: scripts/browser-test.sh        (from anywhere; needs root or chromium installed)
# Installs Debian's chromium when /usr/bin/chromium is missing. Ends with the
# line "N passed, N failed" and exits non-zero when a check failed.
#
# Every Chromium run maps every host name to "not found" (--host-resolver-rules),
# so nothing can leave the machine, not even Chromium's own background requests
# (component updates, account checks), which the net log shows as blocked.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok:   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

if [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null; then
    echo "installing Debian's chromium and poppler-utils (pdftotext) ..."
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium poppler-utils >/dev/null; }; then
        fail "cannot install chromium (apt-get install -y chromium poppler-utils)"
        finish
    fi
fi
command -v python3 >/dev/null || { fail "python3 is needed for the checks"; finish; }

echo "building telaudit ..."
if ! cargo build -q -p telaudit; then
    fail "cargo build -p telaudit"
    finish
fi
bin="${CARGO_TARGET_DIR:-$root/target}/debug/telaudit"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"
if "$bin" audit --quiet --out "$out" tests/fixtures/small-client; then
    pass "telaudit audit tests/fixtures/small-client"
else
    fail "telaudit audit tests/fixtures/small-client (exit $?)"
    finish
fi
html="$out/report.html"
[ -s "$html" ] && pass "report.html written" || { fail "report.html missing"; finish; }

# 1. The file itself fetches nothing: no scheme, no protocol-relative URL, no
#    url(), no element that loads a resource.
bad="$(grep -n -o -i -E 'https?:|//|url\(|@import|<script|<link|<img|<iframe|<object|<embed|src=' "$html" | head -5)"
if [ -z "$bad" ]; then pass "report.html has no URL or resource reference"; else fail "report.html references: $bad"; fi

chromium_run() { # profile-name, then chromium arguments
    local prof="$tmp/profile-$1"
    shift
    timeout 180 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-quic --no-first-run --disable-component-update --disable-sync --disable-extensions \
        --disable-default-apps --disable-client-side-phishing-detection --disable-domain-reliability \
        --no-default-browser-check --metrics-recording-only \
        --disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter,AutofillServerCommunication \
        --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$prof" --hide-scrollbars "$@"
}

# 2. Screenshot, with a net log.
chromium_run png --log-net-log="$tmp/net.json" --screenshot="$tmp/report.png" --window-size=1280,2000 \
    "file://$html" >"$tmp/png.log" 2>&1
python3 - "$tmp/report.png" <<'PY' && pass "screenshot is a picture, not blank" || fail "screenshot blank or missing (see above)"
import struct, sys, zlib
path = sys.argv[1]
try:
    data = open(path, "rb").read()
except OSError as e:
    print("no screenshot:", e); sys.exit(1)
if len(data) < 20000 or data[:8] != b"\x89PNG\r\n\x1a\n":
    print("not a PNG or too small:", len(data), "bytes"); sys.exit(1)
pos, idat, w, h, ctype = 8, b"", 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        if depth != 8 or ctype not in (2, 6):
            print("unexpected PNG format", depth, ctype); sys.exit(1)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
bpp = 4 if ctype == 6 else 3
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
colours, dark, total = set(), 0, 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[i] = (line[i] + pr) & 255
    if y % 4 == 0:
        for x in range(0, w, 4):
            px = bytes(line[x * bpp:x * bpp + 3])
            colours.add(px)
            total += 1
            if sum(px) < 3 * 160:
                dark += 1
    prev = line
print(f"screenshot {w}x{h}: {len(colours)} colours, {100 * dark / max(total, 1):.1f}% dark (text, bars)")
sys.exit(0 if len(colours) >= 20 and dark / max(total, 1) > 0.005 else 1)
PY

# 3. No request made by the page, and nothing connected anywhere. Checked on a
#    canary page with remote references first, so the check is known to catch them.
netcheck() { # net-log, expect (clean|dirty)
    python3 - "$1" "$2" <<'PY'
import json, sys
path, expect = sys.argv[1], sys.argv[2]
try:
    log = json.load(open(path))
except Exception as e:
    print("cannot read the net log:", e); sys.exit(1)
types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
page, internal, connected = [], set(), []
for e in log["events"]:
    t = types.get(e["type"], "")
    p = e.get("params") or {}
    if t == "URL_REQUEST_START_JOB" and "url" in p:
        url = p["url"]
        if url.split(":", 1)[0] in ("file", "data", "chrome", "about", "blob"):
            continue
        if p.get("initiator") == "not an origin":
            internal.add(url.split("?", 1)[0])  # Chromium's own, blocked by the resolver rule
        else:
            page.append(url)
    if t == "TCP_CONNECT" or (t == "SSL_CONNECT" and e.get("phase") == 2 and "net_error" not in p):
        connected.append(p.get("address", t))
if expect == "dirty":
    sys.exit(0 if page else 1)
for u in sorted(internal):
    print("  (Chromium's own request, blocked before any connection:", u + ")")
for u in page:
    print("  page requested:", u)
for c in connected:
    print("  connected:", c)
sys.exit(0 if not page and not connected else 1)
PY
}
printf '<!DOCTYPE html><p>canary<img src="http://example.invalid/a.png"><link rel="stylesheet" href="https://example.invalid/f.css">' >"$tmp/canary.html"
chromium_run canary --log-net-log="$tmp/canary-net.json" --screenshot="$tmp/canary.png" --window-size=400,300 \
    "file://$tmp/canary.html" >/dev/null 2>&1
if netcheck "$tmp/canary-net.json" dirty; then
    pass "net-log check catches a page's remote requests (canary)"
else
    fail "net-log check did not see the canary page's remote requests"
fi
if netcheck "$tmp/net.json" clean; then
    pass "report.html made no network request"
else
    fail "report.html made network requests (above)"
fi

# 4. PDF.
chromium_run pdf --no-pdf-header-footer --print-to-pdf="$tmp/report.pdf" "file://$html" >"$tmp/pdf.log" 2>&1
if [ -s "$tmp/report.pdf" ] && head -c 5 "$tmp/report.pdf" | grep -q '%PDF-' && [ "$(stat -c %s "$tmp/report.pdf")" -gt 20000 ]; then
    pass "PDF printed ($(stat -c %s "$tmp/report.pdf") bytes)"
else
    fail "PDF missing or too small"
fi

# 5. The rendered text holds the headline figures: the fixture's hand-computed
#    ones (tests/fixtures/small-client/README.md) and report.json's, exactly.
chromium_run dom --dump-dom "file://$html" >"$tmp/dom.html" 2>"$tmp/dom.log"
python3 - "$tmp/dom.html" "$out/report.json" <<'PY' && pass "rendered page shows the headline figures of report.json" || fail "headline figures missing from the rendered page"
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
report = json.load(open(sys.argv[2]))
# The page shows money with thousands separators; report.json keeps the plain form.
def grouped(v):
    if not v:
        return v
    sign, v = ("-", v[1:]) if v.startswith("-") else ("", v)
    whole, _, frac = v.partition(".")
    return sign + f"{int(whole):,}" + ("." + frac if frac else "")
want = ["237.15", "117.92", "1,414.98", "1,652.13"]
t = report["totals"]
want += [grouped(t[k]) for k in ("recoverable", "monthly", "annual", "first_year")]
want += [grouped(report["input"]["billed_total"])]
p = report.get("proposal") or {}
want += [grouped(p.get("first_year_cost", ""))]
missing = [w for w in want if w and not re.search(r"(?<![\d.,])" + re.escape(w) + r"(?![\d])", text)]
if missing:
    print("missing from the rendered text:", missing); sys.exit(1)
if t["recoverable"] != "237.15" or t["first_year"] != "1652.13":
    print("report.json disagrees with the fixture README:", t); sys.exit(1)
PY
# With poppler-utils (optional), the PDF's own text too.
if command -v pdftotext >/dev/null; then
    pdftotext "$tmp/report.pdf" "$tmp/report.txt" 2>/dev/null
    lacking=""
    for fig in 237.15 117.92 1,414.98 1,652.13; do
        grep -q -F "$fig" "$tmp/report.txt" 2>/dev/null || lacking="$lacking $fig"
    done
    if [ -z "$lacking" ]; then pass "PDF text has the headline figures"; else fail "PDF text lacks$lacking"; fi
fi

# 6. The dispute letters the report links to exist, and a letter's HTML renders
#    and prints: one page for the fixture's letter, its total and items shown.
letter="$out/disputes/Verizon Wireless/0042.html"
if [ -s "$out/disputes/Verizon Wireless/0042.md" ] && [ -s "$letter" ] && [ -s "$out/disputes/Lumen/5-KX8812.csv" ]; then
    pass "dispute files written (letter .md and .html, line CSV)"
else
    fail "dispute files missing"
fi
grep -q 'href="disputes/Verizon%20Wireless/0042.html"' "$html" && pass "report.html links the letter's HTML" || fail "report.html does not link the letter's HTML"
chromium_run letter-dom --dump-dom "file://$letter" >"$tmp/letter-dom.html" 2>"$tmp/letter-dom.log"
python3 - "$tmp/letter-dom.html" <<'PY' && pass "letter HTML renders: total, reasons, items with invoice dates" || fail "letter HTML wrong (see above)"
import html, re, sys
text = html.unescape(re.sub(r"<[^>]+>", " ", open(sys.argv[1], encoding="utf-8").read()))
need = ["Billing dispute: account 0042", "Total claimed", "160.65", "What we claim, by reason",
        "Invoice date", "exemption certificate", "disconnected 2025-02-01", "0042.csv"]
missing = [n for n in need if n not in text]
if missing:
    print("  missing:", missing); sys.exit(1)
PY
chromium_run letter-pdf --no-pdf-header-footer --print-to-pdf="$tmp/letter.pdf" "file://$letter" >"$tmp/letter-pdf.log" 2>&1
if [ -s "$tmp/letter.pdf" ] && head -c 5 "$tmp/letter.pdf" | grep -q '%PDF-'; then
    pass "letter printed to PDF ($(stat -c %s "$tmp/letter.pdf") bytes)"
    if command -v pdfinfo >/dev/null; then
        lp="$(pdfinfo "$tmp/letter.pdf" | awk '/^Pages:/{print $2}')"
        [ "${lp:-0}" -ge 1 ] && [ "${lp:-0}" -le 2 ] && pass "letter PDF is $lp page(s) (at most 2)" || fail "letter PDF has ${lp:-?} pages, expected 1-2"
    fi
else
    fail "letter PDF missing"
fi

# 7. The funding plan ("What this funds") of the sample client, whose client.toml
#    has a multi-provider plan: the rendered page holds the chart of the
#    cumulative cash flow, one point a month, and the payback marker sits on the
#    first month whose point is on or above the zero line, as report.json says.
sout="$tmp/sample-out"
if "$bin" audit --quiet --out "$sout" sample-data/acme-health; then
    pass "telaudit audit sample-data/acme-health"
else
    fail "telaudit audit sample-data/acme-health (exit $?)"
fi
chromium_run sample-dom --dump-dom "file://$sout/report.html" >"$tmp/sample-dom.html" 2>"$tmp/sample-dom.log"
python3 - "$tmp/sample-dom.html" "$sout/report.json" <<'PY' && pass "plan section renders: chart, payback marker on the right month, NPV, sentence" || fail "plan section wrong or missing in the rendered page (see above)"
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
p = json.load(open(sys.argv[2]))["proposal"]
ok = True
def check(cond, what):
    global ok
    if not cond:
        print("  " + what); ok = False
m = re.search(r'<svg class="cashflow".*?</svg>', dom, re.S)
check(m is not None, "no <svg class=\"cashflow\"> chart")
svg = m.group(0) if m else ""
pts = re.search(r'<polyline class="cumulative" points="([^"]+)"', svg)
check(pts is not None, "no cumulative polyline in the chart")
points = [tuple(int(v) for v in xy.split(",")) for xy in pts.group(1).split()] if pts else []
check(len(points) == p["horizon_months"] + 1, f"{len(points)} points for a {p['horizon_months']}-month horizon")
zero = re.search(r'<line class="zero" x1="\d+" y1="(\d+)"', svg)
check(zero is not None, "no zero line")
n = p["payback_months"]
marker = re.search(r'<g id="payback-marker"[^>]*><line x1="(\d+)"', svg)
check(isinstance(n, int) and n <= p["horizon_months"], f"the sample's payback {n} is not within the horizon")
check(marker is not None, "no payback marker")
if marker and zero and points and isinstance(n, int) and n < len(points):
    x, zy = int(marker.group(1)), int(zero.group(1))
    check(x == points[n][0], f"marker at x={x}, month {n} is at x={points[n][0]}")
    check(points[n][1] <= zy, f"month {n} is below the zero line")
    check(n == 0 or points[n - 1][1] >= zy, f"month {n - 1} is already above the zero line")
text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
check(f"payback: month {n}" in text, "no 'payback: month N' label")
check(re.search(r"From month %d on, the savings have paid for the equipment, the installation" % n, text) is not None, "no client sentence")
sign, v = ("-", p["npv"][1:]) if p["npv"].startswith("-") else ("", p["npv"])
npv = sign + f"{int(v.split('.')[0]):,}." + v.split(".")[1]  # shown with thousands separators
check(re.search(r"(?<![\d.,])" + re.escape(npv) + r"(?![\d])", text) is not None, f"NPV {npv} not shown")
for i in p["items"]:
    check(i["provider"] in text, f"provider {i['provider']} not shown")
sys.exit(0 if ok else 1)
PY
# 8. The sample client's report prints compactly: the findings table flows
#    (rows are not pushed one per page), paths wrap at "/". 22 pages before the
#    print stylesheet of issue 16; 11 with it.
chromium_run sample-pdf --no-pdf-header-footer --print-to-pdf="$tmp/sample.pdf" "file://$sout/report.html" >"$tmp/sample-pdf.log" 2>&1
if command -v pdfinfo >/dev/null && [ -s "$tmp/sample.pdf" ]; then
    sp="$(pdfinfo "$tmp/sample.pdf" | awk '/^Pages:/{print $2}')"
    # 11 pages before the "Found too late to claim" (20 findings) and "Buying too much" (25 changes) sections; 18 with them;
    # 19 with the "Disputes filed" section (the sample's claims.csv, docs/recovery.md); 17 with the evidence
    # of each largest finding across the table under it (issue 27).
    [ "${sp:-99}" -le 20 ] && pass "sample report PDF is $sp pages (at most 20)" || fail "sample report PDF has ${sp:-?} pages, expected at most 20"
    if command -v pdftotext >/dev/null; then
        pdftotext "$tmp/sample.pdf" "$tmp/sample.txt" 2>/dev/null
        grep -q "report date 2025-12-19" "$tmp/sample.txt" && grep -q "Periods ending 2025-01-31 to 2025-12-31" "$tmp/sample.txt" \
            && pass "sample PDF header: report date and periods' end dates" || fail "sample PDF lacks the report date or the periods' end dates"
    fi
else
    fail "sample report PDF missing (or pdfinfo not installed)"
fi
chromium_run sample-png --screenshot="$tmp/sample.png" --window-size=1280,2200 "file://$sout/report.html" >/dev/null 2>&1
if [ -s "$tmp/sample.png" ]; then pass "screenshot of the sample's report"; else fail "no screenshot of the sample's report"; fi

# 9. Sizes on a 1,300 px wide screen (issue 27): the sample's report.html is under
#    9,000 px tall (16,959 before its layout used the screen's width), and a batch's
#    index.html, with the history's columns and the review.csv link, has no
#    horizontal overflow. A copy of the page gets a script at its end that writes
#    the document's size into an attribute, which --dump-dom shows.
measure() { # page, name: prints "WIDTHxHEIGHT VIEWPORT_WIDTH"
    local page=$1 probe
    probe="$(dirname "$page")/.measure-$2.html"
    python3 - "$page" "$probe" <<'PY'
import sys
src = open(sys.argv[1], encoding="utf-8").read()
probe = ('<script>var d=document.documentElement;document.body.setAttribute("data-size",'
         'd.scrollWidth+"x"+d.scrollHeight+" "+d.clientWidth);</script>')
i = src.rindex("</body>")
open(sys.argv[2], "w", encoding="utf-8").write(src[:i] + probe + src[i:])
PY
    chromium_run "measure-$2" --dump-dom --window-size=1300,900 "file://$probe" 2>/dev/null \
        | grep -o 'data-size="[^"]*"' | sed 's/data-size="\(.*\)"/\1/'
    rm -f "$probe"
}
size="$(measure "$sout/report.html" sample)"
height="${size#*x}"; height="${height%% *}"
if [ -n "$size" ] && [ "$height" -lt 9000 ]; then
    pass "sample report.html is $height px tall at 1,300 px wide (under 9,000)"
else
    fail "sample report.html is ${height:-?} px tall at 1,300 px wide, expected under 9,000 ($size)"
fi
broot="$tmp/batch-root"
mkdir -p "$broot"
cp -r sample-data/acme-health "$broot/acme-health"
cp -r tests/fixtures/small-client "$broot/small-client"
"$bin" batch "$broot" --out "$tmp/batch-out" --quiet >/dev/null 2>&1
rm -r "$broot/small-client/invoices/lumen"
if "$bin" batch "$broot" --out "$tmp/batch-out" --quiet >/dev/null 2>&1 && [ -s "$tmp/batch-out/review.csv" ]; then
    pass "telaudit batch twice (a client's Lumen bills gone: resolved findings in review.csv)"
else
    fail "telaudit batch twice into $tmp/batch-out"
fi
size="$(measure "$tmp/batch-out/index.html" index)"
width="${size%%x*}"; viewport="${size##* }"
if [ -n "$size" ] && [ "$width" -le "$viewport" ] && [ "$viewport" -le 1300 ]; then
    pass "batch index.html fits 1,300 px: $width px wide in a $viewport px window"
else
    fail "batch index.html is ${width:-?} px wide in a ${viewport:-?} px window: it overflows 1,300 px ($size)"
fi
grep -q '<a href="review.csv">review.csv</a>' "$tmp/batch-out/index.html" \
    && pass "batch index.html links review.csv" || fail "batch index.html does not link review.csv"

if [ -n "${BROWSER_TEST_KEEP:-}" ]; then
    mkdir -p "$BROWSER_TEST_KEEP" && cp "$tmp/report.png" "$tmp/report.pdf" "$tmp/sample.png" "$BROWSER_TEST_KEEP/" 2>/dev/null
    echo "kept report.png, report.pdf and sample.png in $BROWSER_TEST_KEEP"
fi
finish
